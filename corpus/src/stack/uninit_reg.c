/* Registers must be written before they are read: R2 read uninitialised, and R0
 * not set at exit; the counterpart sets R2 first. */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

SEC("socket")
__attribute__((naked)) int reg_uninit_read(void)
{
	asm volatile("r0 = r2;"
		     "exit;" ::: "memory");
}

SEC("socket")
__attribute__((naked)) int reg_r0_unset_at_exit(void)
{
	asm volatile("r2 = 1;"
		     "exit;" ::: "memory");
}

SEC("socket")
__attribute__((naked)) int reg_init_read(void)
{
	asm volatile("r2 = 1;"
		     "r0 = r2;"
		     "exit;" ::: "memory");
}

char LICENSE[] SEC("license") = "GPL";
