"""Sign-extending loads (BPF_MEMSX) from the context: of a field holding a packet pointer (__sk_buff
data/data_end/data_meta, xdp_md data/data_end/data_meta) they are invalid context accesses from 6.13
(net/core/filter.c `info->is_ldsx` checks: absent 6.12.117, present 6.13.2 on); of a scalar field they
follow the field's size rules. bpfcheck took them for ordinary loads (false accepts).

Recorded on 6.18.44-fc-v1045 (the host), this file's own programs (verdict, last log line).
"""

from __future__ import annotations

import pytest

from tests.bpf_c import compile_c, verdict_and_message

SOURCE = r"""
#define SEC(n) __attribute__((section(n), used))
#define NAKED __attribute__((naked))
char LICENSE[] SEC("license") = "GPL";
/* xdp_md: data@0 data_end@4 data_meta@8 rx_queue_index@16; __sk_buff: len@0 data@76 data_end@80 */
SEC("xdp") NAKED int xdp_data_s32(void) { asm volatile("r0 = *(s32 *)(r1 + 0); r0 = 2; exit;" ::: "memory"); }
SEC("xdp") NAKED int xdp_meta_s32(void) { asm volatile("r0 = *(s32 *)(r1 + 8); r0 = 2; exit;" ::: "memory"); }
SEC("xdp") NAKED int xdp_rxq_s32(void) { asm volatile("r0 = *(s32 *)(r1 + 16); r0 = 2; exit;" ::: "memory"); }
SEC("xdp") NAKED int xdp_rxq_s8(void) { asm volatile("r0 = *(s8 *)(r1 + 16); r0 = 2; exit;" ::: "memory"); }
SEC("tc") NAKED int tc_data_s32(void) { asm volatile("r0 = *(s32 *)(r1 + 76); r0 = 0; exit;" ::: "memory"); }
SEC("tc") NAKED int tc_data_end_s32(void) { asm volatile("r0 = *(s32 *)(r1 + 80); r0 = 0; exit;" ::: "memory"); }
SEC("tc") NAKED int tc_len_s32(void) { asm volatile("r0 = *(s32 *)(r1 + 0); r0 = 0; exit;" ::: "memory"); }
SEC("tc") NAKED int tc_len_s16(void) { asm volatile("r0 = *(s16 *)(r1 + 0); r0 = 0; exit;" ::: "memory"); }
SEC("flow_dissector") NAKED int flow_data_s32(void) { asm volatile("r0 = *(s32 *)(r1 + 76); r0 = 0; exit;" ::: "memory"); }
"""

OK = ("accept", "")


def _ctx(off: int, size: int) -> tuple[str, str]:
    return ("reject", f"invalid bpf_context access off={off} size={size}")


KERNEL_6_18 = {
    "xdp_data_s32": _ctx(0, 4),
    "xdp_meta_s32": _ctx(8, 4),
    "xdp_rxq_s32": OK,
    "xdp_rxq_s8": _ctx(16, 1),
    "tc_data_s32": _ctx(76, 4),
    "tc_data_end_s32": _ctx(80, 4),
    "tc_len_s32": OK,
    "tc_len_s16": OK,
    "flow_data_s32": _ctx(76, 4),
}


@pytest.fixture(scope="module")
def obj(tmp_path_factory):
    return compile_c(SOURCE, tmp_path_factory.mktemp("ctx_ldsx"))


@pytest.mark.parametrize("name", sorted(KERNEL_6_18))
def test_ldsx_from_ctx_as_the_6_18_kernel(obj, name: str) -> None:
    assert verdict_and_message(obj, name, "6.18") == KERNEL_6_18[name]


def test_before_6_13_a_packet_pointer_field_may_be_read_so(obj) -> None:
    assert verdict_and_message(obj, "tc_data_s32", "6.12")[0] == "accept"
    assert verdict_and_message(obj, "tc_data_s32", "6.13")[0] == "reject"
