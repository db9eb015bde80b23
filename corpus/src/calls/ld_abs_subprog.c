/* LD_ABS inside a subprogram: a failed load returns 0 from that function, so the caller must
 * cope with 0 as well as the value the function returns on success; and such a function must
 * return an int by its BTF prototype. */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

#define LD_ABS_W0 ".8byte 0x0000000000000020;"  /* BPF_LD | BPF_W | BPF_ABS, imm 0 */

__attribute__((naked, noinline, used)) static int load_then_one(void)
{
	asm volatile ("r6 = r1;" LD_ABS_W0 "r0 = 1;" "exit;" ::: "memory");
}

__attribute__((naked, noinline, used)) static void load_no_int(void)
{
	asm volatile ("r6 = r1;" LD_ABS_W0 "r0 = 1;" "exit;" ::: "memory");
}

SEC("socket")
__attribute__((naked)) int caller_trusts_one(void)
{
	asm volatile ("call load_then_one;" "if r0 != 0 goto 1f;" "r0 = r9;" "1:" "r0 = 0;" "exit;" ::: "memory");
}

SEC("socket")
__attribute__((naked)) int caller_copes_with_zero(void)
{
	asm volatile ("call load_then_one;" "if r0 != 0 goto 1f;" "r0 = 0;" "1:" "exit;" ::: "memory");
}

SEC("socket")
__attribute__((naked)) int caller_of_void_loader(void)
{
	asm volatile ("call load_no_int;" "r0 = 0;" "exit;" ::: "memory");
}

char _license[] SEC("license") = "GPL";
