/* Helpers are available per program type: bpf_skb_store_bytes from tc (accepted)
 * and from xdp (rejected); bpf_get_current_pid_tgid from a kprobe (accepted). */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

SEC("tc")
int helper_store_bytes_tc(struct __sk_buff *skb)
{
	__u8 byte = 0;

	bpf_skb_store_bytes(skb, 0, &byte, 1, 0);
	return 0;
}

SEC("xdp")
__attribute__((naked)) int helper_store_bytes_xdp(void)
{
	asm volatile("r2 = 0;"
		     "*(u64 *)(r10 - 8) = r2;"
		     "r3 = r10;"
		     "r3 += -8;"
		     "r4 = 1;"
		     "r5 = 0;"
		     "call %[store];"
		     "r0 = 2;"
		     "exit;"
		     :: [store] "i"(BPF_FUNC_skb_store_bytes) : "memory");
}

SEC("kprobe/do_nanosleep")
int helper_pid_kprobe(void *ctx)
{
	return bpf_get_current_pid_tgid() & 1;
}

char LICENSE[] SEC("license") = "GPL";
