/* Two lookups of the same key: after checking the first against NULL, equality with it proves
 * the second is not NULL on the equal side only. */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u32);
} vals SEC(".maps");

#define TWO_LOOKUPS                                    \
	"r1 = 0;"                                      \
	"*(u32 *)(r10 - 4) = r1;"                      \
	"r2 = r10;"                                    \
	"r2 += -4;"                                    \
	"r1 = %[vals] ll;"                             \
	"call %[lookup];"                              \
	"r6 = r0;"                                     \
	"r2 = r10;"                                    \
	"r2 += -4;"                                    \
	"r1 = %[vals] ll;"                             \
	"call %[lookup];"                              \
	"r7 = r0;"                                     \
	"if r6 == 0 goto 1f;"

SEC("tc")
__attribute__((naked)) int deref_on_equal_side(void)
{
	asm volatile (TWO_LOOKUPS
	"if r6 != r7 goto 1f;"
	"r0 = *(u32 *)(r7 + 0);"
	"1:"
	"r0 = 0;"
	"exit;"
	:: [vals]"i"(&vals), [lookup]"i"(BPF_FUNC_map_lookup_elem) : "memory");
}

SEC("tc")
__attribute__((naked)) int deref_on_unequal_side(void)
{
	asm volatile (TWO_LOOKUPS
	"if r6 == r7 goto 1f;"
	"r0 = *(u32 *)(r7 + 0);"
	"1:"
	"r0 = 0;"
	"exit;"
	:: [vals]"i"(&vals), [lookup]"i"(BPF_FUNC_map_lookup_elem) : "memory");
}

char _license[] SEC("license") = "GPL";
