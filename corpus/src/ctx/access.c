/* Context access rules for __sk_buff and xdp_md: a readable field, a field read
 * with the wrong size, a read past the end of the context, a write the type may
 * not do (socket filter writing skb->mark), a write it may do (cb[]), and a
 * narrow (1-byte) read of a 4-byte field. */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

SEC("socket")
__attribute__((naked)) int ctx_read_len(void)
{
	asm volatile("r0 = *(u32 *)(r1 + %[len]);"
		     "exit;"
		     :: [len] "i"(__builtin_offsetof(struct __sk_buff, len)) : "memory");
}

SEC("socket")
__attribute__((naked)) int ctx_read_len_wrong_size(void)
{
	asm volatile("r0 = *(u64 *)(r1 + %[len]);"
		     "exit;"
		     :: [len] "i"(__builtin_offsetof(struct __sk_buff, len)) : "memory");
}

SEC("xdp")
__attribute__((naked)) int ctx_read_past_end(void)
{
	asm volatile("r0 = *(u32 *)(r1 + 64);"
		     "exit;" ::: "memory");
}

SEC("socket")
__attribute__((naked)) int ctx_write_mark_socket(void)
{
	asm volatile("r2 = 1;"
		     "*(u32 *)(r1 + %[mark]) = r2;"
		     "r0 = 0;"
		     "exit;"
		     :: [mark] "i"(__builtin_offsetof(struct __sk_buff, mark)) : "memory");
}

SEC("socket")
__attribute__((naked)) int ctx_write_cb_socket(void)
{
	asm volatile("r2 = 1;"
		     "*(u32 *)(r1 + %[cb]) = r2;"
		     "r0 = 0;"
		     "exit;"
		     :: [cb] "i"(__builtin_offsetof(struct __sk_buff, cb)) : "memory");
}

SEC("socket")
__attribute__((naked)) int ctx_narrow_read(void)
{
	asm volatile("r0 = *(u8 *)(r1 + %[len]);"
		     "exit;"
		     :: [len] "i"(__builtin_offsetof(struct __sk_buff, len)) : "memory");
}

SEC("xdp")
__attribute__((naked)) int ctx_write_xdp_data(void)
{
	asm volatile("r2 = 0;"
		     "*(u32 *)(r1 + 0) = r2;"
		     "r0 = 2;"
		     "exit;" ::: "memory");
}

char LICENSE[] SEC("license") = "GPL";
