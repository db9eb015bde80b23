/* Accepted task iterator: counts the tasks it is shown (ctx is struct bpf_iter__task). */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

struct bpf_iter_meta;
struct task_struct;

struct bpf_iter__task {
	struct bpf_iter_meta *meta;
	struct task_struct *task;
};

__u64 seen = 0;

SEC("iter/task")
int type_iter_task(struct bpf_iter__task *ctx)
{
	if (ctx->task)
		seen++;
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
