#include <linux/bpf.h>
#include <linux/pkt_cls.h>
#include <linux/if_ether.h>
#include <bpf/bpf_helpers.h>

struct { __uint(type, BPF_MAP_TYPE_ARRAY); __uint(max_entries, 4); __type(key, __u32); __type(value, __u64[4]); } arr SEC(".maps");
struct { __uint(type, BPF_MAP_TYPE_SK_STORAGE); __uint(map_flags, BPF_F_NO_PREALLOC); __type(key, int); __type(value, __u64); } sks SEC(".maps");

unsigned long long load_byte(void *skb, unsigned long long off) asm("llvm.bpf.load.byte");
static __attribute__((noinline)) int sub_ldabs(struct __sk_buff *skb) { return load_byte(skb, 12); }
SEC("socket") int ldabs_in_static_sub(struct __sk_buff *skb) { return sub_ldabs(skb); }
__attribute__((noinline)) int glob_ldabs(struct __sk_buff *skb) { return load_byte(skb, 12); }
SEC("socket") int ldabs_in_global_sub(struct __sk_buff *skb) { return glob_ldabs(skb); }
SEC("tc") int atomic_stack_misaligned(struct __sk_buff *skb) {
	__u64 a[2] = {}; __sync_fetch_and_add((__u32 *)((char *)a + 2), 1); return a[0];
}
SEC("tc") int stack_misaligned_store(struct __sk_buff *skb) {
	__u64 a[2] = {}; *(__u32 *)((char *)a + 2) = skb->len; return a[0] & 1;
}
SEC("tc") int zero_size_var_stack(struct __sk_buff *skb) {
	char buf[16] = {}; __u32 off = skb->len;
	return bpf_skb_load_bytes(skb, 0, buf + (off & 0xffff), 0);
}
SEC("tc") int var_stack_read_helper(struct __sk_buff *skb) {
	char buf[16]; __u32 off = skb->len & 7;
	return bpf_skb_load_bytes(skb, 0, buf + off, 8);
}
SEC("tc") int var_stack_read_uninit(struct __sk_buff *skb) {
	char buf[16]; __u32 off = skb->len & 7; buf[0] = 1;
	return bpf_csum_diff((void*)(buf + off), 8, 0, 0, 0);
}
SEC("tc") int map_val_var_off(struct __sk_buff *skb) {
	__u32 k = 0; __u64 *v = bpf_map_lookup_elem(&arr, &k); if (!v) return 0;
	__u32 i = skb->len & 3; return v[i] & 1;
}
SEC("tc") int map_val_var_off_oob(struct __sk_buff *skb) {
	__u32 k = 0; __u64 *v = bpf_map_lookup_elem(&arr, &k); if (!v) return 0;
	__u32 i = skb->len & 7; return v[i] & 1;
}
SEC("tc") int sk_storage_get_null_sk(struct __sk_buff *skb) {
	struct bpf_sock *sk = skb->sk; if (!sk) return 0;
	__u64 *v = bpf_sk_storage_get(&sks, sk, 0, BPF_SK_STORAGE_GET_F_CREATE);
	return v ? *v & 1 : 0;
}
SEC("tc") int sk_storage_get_unchecked(struct __sk_buff *skb) {
	struct bpf_sock *sk = skb->sk;
	__u64 *v = bpf_sk_storage_get(&sks, sk, 0, 0);
	return v ? *v & 1 : 0;
}
SEC("tc") int pkt_ptr_arith_unbounded(struct __sk_buff *skb) {
	void *d = (void *)(long)skb->data, *e = (void *)(long)skb->data_end;
	__u32 off = skb->len;
	if (d + off + 1 > e) return 0;
	return *(char *)(d + off);
}
SEC("tc") int pkt_ptr_arith_bounded(struct __sk_buff *skb) {
	void *d = (void *)(long)skb->data, *e = (void *)(long)skb->data_end;
	__u32 off = skb->len & 0xff;
	if (d + off + 1 > e) return 0;
	return *(char *)(d + off);
}
char LICENSE[] SEC("license") = "GPL";
