"""A timer callback's return value is checked as an asynchronous callback's (check_return_code():
'At async callback return', 6.8+). Recorded on 6.18.44-fc-v1045 (the host), this file's programs."""

from __future__ import annotations

from tests.bpf_c import compile_c, verdict_and_message

SOURCE = r"""
#define SEC(n) __attribute__((section(n), used))
#define __uint(name, val) int (*name)[val]
#define __type(name, val) typeof(val) *name
struct bpf_timer { unsigned long long __opaque[2]; } __attribute__((aligned(8)));
struct __sk_buff { unsigned int len; };
struct val { struct bpf_timer t; int x; };
struct { __uint(type, 2); __uint(max_entries, 4); __type(key, int); __type(value, struct val); } a SEC(".maps");
static void *(*lookup)(void *map, const void *key) = (void *)1;
static long (*timer_init)(struct bpf_timer *t, void *map, unsigned long long flags) = (void *)169;
static long (*timer_set_callback)(struct bpf_timer *t, void *cb) = (void *)170;
char LICENSE[] SEC("license") = "GPL";
static int cb_ok(void *map, int *key, struct val *v) { return 0; }
static int cb_bad(void *map, int *key, struct val *v) { return 5; }
SEC("tc") int timer_cb_ok(struct __sk_buff *s)
{ int k = 0; struct val *v = lookup(&a, &k); if (!v) return 0;
  timer_init(&v->t, &a, 1); timer_set_callback(&v->t, cb_ok); return 0; }
SEC("tc") int timer_cb_returns_5(struct __sk_buff *s)
{ int k = 0; struct val *v = lookup(&a, &k); if (!v) return 0;
  timer_init(&v->t, &a, 1); timer_set_callback(&v->t, cb_bad); return 0; }
"""


def test_timer_callback_return_checked_as_async(tmp_path) -> None:
    obj = compile_c(SOURCE, tmp_path)
    assert verdict_and_message(obj, "timer_cb_ok", "6.18") == ("accept", "")
    verdict, message = verdict_and_message(obj, "timer_cb_returns_5", "6.18")
    assert verdict == "reject"
    assert message == "At async callback return the register R0 has smin=5 smax=5 should have been in [0, 0]"
