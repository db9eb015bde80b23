#include <linux/bpf.h>
#include <linux/ptrace.h>
#include <bpf/bpf_helpers.h>

struct val64 {
	__u8 b[64];
};
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 16);
	__type(key, __u32);
	__type(value, struct val64);
} arr SEC(".maps");

SEC("tc")
int prog(struct __sk_buff *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;
	__u64 acc = 0;
	/* map */
	{
	__u32 k0 = 0;
	struct val64 *mv0 = bpf_map_lookup_elem(&arr, &k0);
	acc += *(__u64 *)((char *)mv0->b + 60);
	}
	return acc & 1;
}

char LICENSE[] SEC("license") = "GPL";
