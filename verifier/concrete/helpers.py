"""Models of BPF helpers for the concrete interpreter.

Helper ids: include/uapi/linux/bpf.h (___BPF_FUNC_MAPPER order), see
/work/shared/reference/helpers.csv. Every model first asks the inputs for
"helper at insn N"; the models below only give the default answer.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from verifier.concrete.memory import MemoryFault
from verifier.concrete.values import MASK32, Ptr, Value, to_u64

if TYPE_CHECKING:
    from verifier.concrete.interp import Machine

MAP_LOOKUP_ELEM = 1
MAP_UPDATE_ELEM = 2
MAP_DELETE_ELEM = 3
GET_PRANDOM_U32 = 7
GET_SMP_PROCESSOR_ID = 8
RINGBUF_RESERVE = 131
MAP_LOOKUP_PERCPU_ELEM = 195

LOOKUP_HELPERS = frozenset({MAP_LOOKUP_ELEM, MAP_LOOKUP_PERCPU_ELEM})
# helpers whose return value is a u32 (their prototypes return u32 / int widened as u32)
U32_RESULT_HELPERS = frozenset({GET_PRANDOM_U32, GET_SMP_PROCESSOR_ID})
# helper id -> (argument register of the buffer, argument register of its size): filled with zeros
ZERO_FILL_HELPERS = {
    4: (1, 2),  # probe_read
    16: (1, 2),  # get_current_comm
    45: (1, 2),  # probe_read_str
    112: (1, 2),  # probe_read_user
    113: (1, 2),  # probe_read_kernel
    114: (1, 2),  # probe_read_user_str
    115: (1, 2),  # probe_read_kernel_str
}
ENOENT = -2


def map_name(obj_maps: list, ptr: Value) -> tuple[int, str] | None:
    if isinstance(ptr, Ptr) and ptr.region.startswith("map "):
        name = ptr.region[4:]
        for index, m in enumerate(obj_maps):
            if m.name == name:
                return index, name
    return None


def call_helper(machine: Machine, helper_id: int, insn: int) -> Value:
    given = machine.inputs.helper_return(insn) if helper_id not in LOOKUP_HELPERS else None
    if helper_id in LOOKUP_HELPERS:
        return _map_lookup(machine, insn)
    if helper_id in ZERO_FILL_HELPERS:
        buf_reg, size_reg = ZERO_FILL_HELPERS[helper_id]
        size = to_u64(machine.regs[size_reg])
        if 0 < size <= 1 << 16:
            machine.memory.store_bytes(machine.regs[buf_reg], 0, bytes(size))
    if helper_id == MAP_UPDATE_ELEM:
        _map_update(machine)
    if helper_id == MAP_DELETE_ELEM:
        found = _map_delete(machine)
        if given is None and not found:
            given = ENOENT
    if helper_id == RINGBUF_RESERVE:
        return _ringbuf_reserve(machine, insn, given)
    value = 0 if given is None else given
    if helper_id in U32_RESULT_HELPERS:
        value &= MASK32
    return value


def _map_and_key(machine: Machine) -> tuple[str, bytes]:
    found = map_name(machine.obj.maps, machine.regs[1])
    if found is None:
        raise MemoryFault("not-a-map", "r1", 0, 0)
    index, name = found
    key = machine.memory.load_bytes(machine.regs[2], 0, machine.obj.maps[index].key_size)
    return name, key


def _map_lookup(machine: Machine, insn: int) -> Value:
    name, key = _map_and_key(machine)
    mdef = next(m for m in machine.obj.maps if m.name == name)
    occurrence = machine.next_occurrence(f"map value at insn {insn}")
    override = machine.inputs.lookup_override(insn)
    given = machine.inputs.lookup_value(insn)
    if override == "NULL":
        return 0
    if override == "VALUE" or given is not None:
        region = f"map value at insn {insn}" + (f" #{occurrence + 1}" if occurrence else "")
        data = (given or b"") + bytes(max(0, mdef.value_size - len(given or b"")))
        machine.memory.add(region, data[: mdef.value_size])
        return Ptr(region, 0)
    contents = machine.inputs.maps.setdefault(name, {})
    region = f"map {name}[{key.hex()}]"
    if region in machine.memory.regions:
        return Ptr(region, 0)
    if key in contents:
        value = contents[key]
    elif machine.is_array_map(mdef) and int.from_bytes(key, "little") < mdef.max_entries:
        value = b""
    else:
        return 0
    machine.memory.add(region, (value + bytes(mdef.value_size))[: mdef.value_size])
    return Ptr(region, 0)


def _map_update(machine: Machine) -> None:
    name, key = _map_and_key(machine)
    mdef = next(m for m in machine.obj.maps if m.name == name)
    value = machine.memory.load_bytes(machine.regs[3], 0, mdef.value_size)
    machine.inputs.maps.setdefault(name, {})[key] = value
    region = machine.memory.regions.get(f"map {name}[{key.hex()}]")
    if region is not None:
        region.data[:] = value


def _map_delete(machine: Machine) -> bool:
    name, key = _map_and_key(machine)
    return machine.inputs.maps.setdefault(name, {}).pop(key, None) is not None


def _ringbuf_reserve(machine: Machine, insn: int, given: int | None) -> Value:
    size = to_u64(machine.regs[2])
    occurrence = machine.next_occurrence(f"ringbuf at insn {insn}")
    if given == 0 or size > 1 << 24:
        return 0
    region = f"ringbuf at insn {insn}" + (f" #{occurrence + 1}" if occurrence else "")
    machine.memory.add(region, bytes(size))
    return Ptr(region, 0)
