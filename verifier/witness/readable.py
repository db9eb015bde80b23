"""Turn a z3 model of a failing path into the witness dict (also a valid concrete input dict)."""

from __future__ import annotations

import time

import z3

from verifier.witness.executor import BYTE, INDEX, Executor
from verifier.witness.search import PathSearch
from verifier.witness.state import SymState
from verifier.witness.sym_alu import bv


def _bytes(model: z3.ModelRef, array: z3.ArrayRef, count: int) -> bytes:
    return bytes(model.eval(z3.Select(array, bv(i)), model_completion=True).as_long() for i in range(count))


def _one_or_list(values: list) -> object:
    return values[0] if len(values) == 1 else values


def smallest_packet(search: PathSearch, state: SymState, fault: z3.BoolRef, model: z3.ModelRef,
                    executor: Executor) -> z3.ModelRef:
    """Binary search for the shortest packet that still breaks the access (within the time budget)."""
    length = executor.packet_len
    best_len = model.eval(length, model_completion=True).as_long()
    low = 0
    while low < best_len and time.monotonic() < search.deadline:
        middle = (low + best_len) // 2
        solver = search.solver([*state.constraints, fault, z3.ULE(length, bv(middle))])
        if solver.check() == z3.sat:
            model = solver.model()
            best_len = model.eval(length, model_completion=True).as_long()
        else:
            low = middle + 1
    return model


MAX_TIDY_TERMS = 96  # input bytes/values tried one by one when the whole group cannot be zero


def _input_groups(state: SymState, executor: Executor, model: z3.ModelRef) -> list[list[z3.BitVecRef]]:
    groups: list[list[z3.BitVecRef]] = []
    if state.uses_packet:
        length = min(model.eval(executor.packet_len, model_completion=True).as_long(), 256)
        packet = z3.Array("packet", INDEX, BYTE)
        groups.append([z3.Select(packet, bv(i)) for i in range(length)])
    for record in state.lookups:
        array = z3.Array(f"{record.region} bytes", INDEX, BYTE)
        groups.append([z3.Select(array, bv(i)) for i in range(min(record.value_size, 256))])
    ctx = z3.Array("ctx", INDEX, BYTE)
    groups.append([z3.Select(ctx, bv(off + i)) for off, size in dict.fromkeys(state.ctx_reads) for i in range(size)])
    groups.append([value for _, value in state.helpers])
    return [g for g in groups if g]


def prefer_zeros(search: PathSearch, state: SymState, fault: z3.BoolRef, model: z3.ModelRef,
                 executor: Executor) -> z3.ModelRef:
    """Make every input that does not matter zero (readable witnesses), within the time budget."""
    solver = search.solver([*state.constraints, fault])
    if state.uses_packet:
        solver.add(executor.packet_len == model.eval(executor.packet_len, model_completion=True))
    groups = _input_groups(state, executor, model)
    solver.push()
    solver.add(*[term == 0 for group in groups for term in group])
    if solver.check() == z3.sat:
        return solver.model()
    solver.pop()
    tried = 0
    for group in groups:
        if time.monotonic() > search.deadline:
            break
        solver.push()
        solver.add(*[term == 0 for term in group])
        if solver.check() == z3.sat:
            continue
        solver.pop()
        for term in group:
            if tried >= MAX_TIDY_TERMS or time.monotonic() > search.deadline:
                break
            tried += 1
            solver.push()
            solver.add(term == 0)
            if solver.check() != z3.sat:
                solver.pop()
    return solver.model() if solver.check() == z3.sat else model


def witness_dict(model: z3.ModelRef, state: SymState, executor: Executor) -> dict[str, object]:
    witness: dict[str, object] = {"feasible": True}
    if state.uses_packet:
        length = model.eval(executor.packet_len, model_completion=True).as_long()
        witness["packet_len"] = length
        witness["packet"] = _bytes(model, z3.Array("packet", INDEX, BYTE), length).hex()
    ctx = z3.Array("ctx", INDEX, BYTE)
    for offset, size in dict.fromkeys(state.ctx_reads):
        name = executor.layout.field_at(offset, size)
        key = f"ctx.{name}" if name else f"ctx+{offset}:{size}"
        witness[key] = int.from_bytes(_bytes_at(model, ctx, offset, size), "little")
    lookups: dict[str, tuple[list[str], list[str]]] = {}
    for record in state.lookups:
        is_null = z3.is_true(model.eval(record.null, model_completion=True))
        answers, values = lookups.setdefault(record.key, ([], []))
        answers.append("NULL" if is_null else "value")
        array = z3.Array(f"{record.region} bytes", INDEX, BYTE)
        values.append("" if is_null else _bytes(model, array, record.value_size).hex())
    for key, (answers, values) in lookups.items():
        witness[key] = _one_or_list(answers)
        if any(values):
            witness[key.replace("map lookup", "map value")] = _one_or_list(values)
    helpers: dict[str, list[int]] = {}
    for key, value in state.helpers:
        number = model.eval(value, model_completion=True).as_signed_long()
        helpers.setdefault(key, []).append(number)
    for key, values in helpers.items():
        witness[key] = _one_or_list(values)
    for name in state.globals_read:
        region = state.regions[f"global {name}"]
        size = z3.simplify(region.size).as_long()
        witness[f"global {name}"] = _bytes(model, z3.Array(f"global {name}", INDEX, BYTE), size).hex()
    return witness


def _bytes_at(model: z3.ModelRef, array: z3.ArrayRef, offset: int, size: int) -> bytes:
    return bytes(
        model.eval(z3.Select(array, bv(offset + i)), model_completion=True).as_long() for i in range(size)
    )
