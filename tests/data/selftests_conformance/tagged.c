/* Two tiny programs carrying the selftests' annotation tags (BTF decl tags), for the
 * conformance runner's tag reader. Written for bpfcheck's tests. */
#define SEC(name) __attribute__((section(name), used))
#define TAG(text) __attribute__((btf_decl_tag("comment:" text)))

SEC("socket") TAG("test_description=reads ctx") TAG("test_expect_failure")
TAG("test_expect_msg=0=R1 invalid {{mem|ctx}} access") TAG("test_expect_msg=1=second line")
TAG("test_expect_success_unpriv") TAG("test_prog_flags=BPF_F_STRICT_ALIGNMENT")
TAG("test_prog_flags=8")
int tagged_failure(void *ctx)
{
	return 0;
}

SEC("socket") TAG("test_auxiliary")
int helper_prog(void *ctx)
{
	return 1;
}

SEC("socket")
int untagged(void *ctx)
{
	return 2;
}

char _license[] SEC("license") = "GPL";
