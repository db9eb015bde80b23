#include <linux/bpf.h>
#include <linux/ptrace.h>
#include <linux/bpf_perf_event.h>
#include <bpf/bpf_helpers.h>

struct { __uint(type, BPF_MAP_TYPE_ARRAY); __uint(max_entries, 8); __type(key, __u32); __type(value, __u64[4]); } arr SEC(".maps");
struct { __uint(type, BPF_MAP_TYPE_STACK_TRACE); __uint(max_entries, 8); __uint(key_size, 4); __uint(value_size, 8 * 127); } st SEC(".maps");

SEC("kprobe/do_nanosleep") int kp_regs(struct pt_regs *r) { return r->rdi & 1; }
SEC("kprobe/do_nanosleep") int kp_regs_past(struct pt_regs *r) { return *(__u64 *)((char *)r + sizeof(struct pt_regs)) & 1; }
SEC("kprobe/do_nanosleep") int kp_regs_write(struct pt_regs *r) { r->rdi = 1; return 0; }
SEC("kprobe/do_nanosleep") int kp_regs_narrow(struct pt_regs *r) { return *(__u8 *)&r->rdi; }
SEC("kprobe/do_nanosleep") int kp_regs_unaligned(struct pt_regs *r) { return *(__u32 *)((char *)&r->rdi + 2); }
SEC("tracepoint/syscalls/sys_enter_nanosleep") int tp_ctx(void *c) { return *(__u64 *)((char *)c + 16) & 1; }
SEC("tracepoint/syscalls/sys_enter_nanosleep") int tp_ctx_far(void *c) { return *(__u64 *)((char *)c + 4096) & 1; }
SEC("tracepoint/syscalls/sys_enter_nanosleep") int tp_ctx_write(void *c) { *(__u64 *)((char *)c + 16) = 1; return 0; }
SEC("raw_tracepoint/sys_enter") int rtp_args(struct bpf_raw_tracepoint_args *c) { return c->args[1] & 1; }
SEC("raw_tracepoint/sys_enter") int rtp_args_past(struct bpf_raw_tracepoint_args *c) { return c->args[2] & 1; }
SEC("raw_tracepoint/sys_enter") int rtp_args_narrow(struct bpf_raw_tracepoint_args *c) { return *(__u32 *)&c->args[1] & 1; }
SEC("perf_event") int pe_period(struct bpf_perf_event_data *c) { return c->sample_period & 1; }
SEC("perf_event") int pe_period_narrow(struct bpf_perf_event_data *c) { return *(__u32 *)&c->sample_period & 1; }
SEC("perf_event") int pe_addr(struct bpf_perf_event_data *c) { return c->addr & 1; }
SEC("perf_event") int pe_write(struct bpf_perf_event_data *c) { c->sample_period = 1; return 0; }
SEC("kprobe/do_nanosleep") int kp_stackid(struct pt_regs *r) { return bpf_get_stackid(r, &st, 0); }
SEC("kprobe/do_nanosleep") int kp_stack_var(struct pt_regs *r) { char b[64]; long n = bpf_get_stack(r, b, sizeof(b), 0); if (n < 0) return 0; return b[n & 63]; }
SEC("kprobe/do_nanosleep") int kp_stack_ret_idx(struct pt_regs *r) { char b[64]; long n = bpf_get_stack(r, b, sizeof(b), 0); if (n <= 0) return 0; return b[n - 1]; }
SEC("kprobe/do_nanosleep") int kp_readstr_idx(struct pt_regs *r) { char b[16]; long n = bpf_probe_read_kernel_str(b, sizeof(b), (void *)r->rdi); if (n <= 0) return 0; return b[n - 1]; }
SEC("kprobe/do_nanosleep") int kp_read_idx(struct pt_regs *r) { char b[16]; long n = bpf_probe_read_kernel(b, sizeof(b), (void *)r->rdi); if (n < 0) return 0; return b[n]; }
char LICENSE[] SEC("license") = "GPL";
