// bpfcheck-build: -mcpu=v3
/* Helper arguments: a NULL for "memory or NULL" only with a size that may be zero; "ctx or NULL"
 * takes 0, not 1; a "long" result pointer must be 8-byte aligned. Atomics on a map value must be
 * aligned whatever the load flags say. */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u64);
} cells SEC(".maps");

SEC("tc")
__attribute__((naked)) int csum_null_zero_size(void)
{
	asm volatile ("r1 = 0; r2 = 0; r3 = 0; r4 = 0; r5 = 0; call %[csum_diff]; r0 = 0; exit;"
	:: [csum_diff]"i"(BPF_FUNC_csum_diff) : "memory");
}

SEC("tc")
__attribute__((naked)) int csum_null_maybe_sized(void)
{
	asm volatile ("r2 = *(u32 *)(r1 + 0); r1 = 0; r2 &= 8; r3 = 0; r4 = 0; r5 = 0; call %[csum_diff]; r0 = 0; exit;"
	:: [csum_diff]"i"(BPF_FUNC_csum_diff) : "memory");
}

SEC("tc")
__attribute__((naked)) int csum_null_then_stack(void)
{
	asm volatile ("r1 = 0; *(u64 *)(r10 - 8) = r1; r2 = 0; r3 = r10; r3 += -8; r4 = 8; r5 = 0; call %[csum_diff];"
	"r0 = 0; exit;" :: [csum_diff]"i"(BPF_FUNC_csum_diff) : "memory");
}

SEC("cgroup/connect4")
__attribute__((naked)) int netns_cookie_of_null(void)
{
	asm volatile ("r1 = 0; call %[cookie]; r0 = 1; exit;" :: [cookie]"i"(BPF_FUNC_get_netns_cookie) : "memory");
}

SEC("cgroup/connect4")
__attribute__((naked)) int netns_cookie_of_one(void)
{
	asm volatile ("r1 = 1; call %[cookie]; r0 = 1; exit;" :: [cookie]"i"(BPF_FUNC_get_netns_cookie) : "memory");
}

#define STRTOUL(res_off)                                                     \
	asm volatile (                                                       \
	"r1 = 0x3631;"                                                       \
	"*(u64 *)(r10 - 8) = r1;"                                            \
	"r1 = r10;"                                                          \
	"r1 += -8;"                                                          \
	"r2 = 2;"                                                            \
	"r3 = 0;"                                                            \
	"r4 = 0;"                                                            \
	"*(u64 *)(r10 - 24) = r4;"                                           \
	"*(u64 *)(r10 - 16) = r4;"                                           \
	"r4 = r10;"                                                          \
	"r4 += " #res_off ";"                                                \
	"call %[strtoul];"                                                   \
	"r0 = 1;"                                                            \
	"exit;"                                                              \
	:: [strtoul]"i"(BPF_FUNC_strtoul) : "memory")

SEC("cgroup/sysctl")
__attribute__((naked)) int strtoul_aligned_result(void)
{
	STRTOUL(-16);
}

SEC("cgroup/sysctl")
__attribute__((naked)) int strtoul_misaligned_result(void)
{
	STRTOUL(-20);
}

#define MAP_ATOMIC(off)                                                      \
	asm volatile (                                                       \
	"r1 = 0;"                                                            \
	"*(u32 *)(r10 - 4) = r1;"                                            \
	"r2 = r10;"                                                          \
	"r2 += -4;"                                                          \
	"r1 = %[cells] ll;"                                                  \
	"call %[lookup];"                                                    \
	"if r0 == 0 goto 1f;"                                                \
	"r1 = 1;"                                                            \
	"lock *(u32 *)(r0 + " #off ") += w1;"                                \
	"1:"                                                                 \
	"r0 = 0;"                                                            \
	"exit;"                                                              \
	:: [cells]"i"(&cells), [lookup]"i"(BPF_FUNC_map_lookup_elem) : "memory")

SEC("tc")
__attribute__((naked)) int atomic_add_aligned(void)
{
	MAP_ATOMIC(4);
}

SEC("tc")
__attribute__((naked)) int atomic_add_misaligned(void)
{
	MAP_ATOMIC(2);
}

char _license[] SEC("license") = "GPL";
