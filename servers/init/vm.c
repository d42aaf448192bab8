/*
 * VMs and their monitors. A VM is a guest address space, its vCPUs, an exit
 * endpoint, a state region and a console ring; its monitor is a native
 * server that can be torn down and started again on the same VM. The vCPU
 * whose exit the dead monitor held is handed, unchanged, to the next one.
 * Restarts back off exponentially; a monitor that keeps crashing within a
 * second of its start is given up after MAX_STREAK tries and the VM stops.
 */
#include "init.h"

#include <hv/layout.h>
#include <hv/log.h>
#include <hv/syscall.h>
#include <string.h>

#define MONITOR_PRIO    100
#define VCPU_PRIO       50
#define MAX_STREAK      5
#define BACKOFF_BASE_MS 10
#define HEALTHY_MS      1000
#define ALIGN_2M(x)     (((x) + 0x1fffffu) & ~0x1fffffu)
#define PAGE_UP(x)      (((x) + 4095u) & ~4095u)

struct vm {
	bool used;
	enum vm_state state;
	const struct vm_config *cfg;
	unsigned index, cpu;
	int guest_as, exit_ep, ntfn, eoi, vcpu[4];
	struct server mon;
	uint32_t ram_pa, state_pa;
	unsigned restarts, streak;
	uint64_t started_at, restart_at;
	bool crash_loop;
};

static struct vm vms[HV_MAX_VMS];

static uint64_t ms_to_ticks(uint32_t ms)
{
	return (uint64_t)bootinfo->counter_freq * ms / 1000;
}

static void fill_info(struct vm *vm)
{
	struct vmm_info *info = (struct vmm_info *)vm->mon.info_pa;
	const struct vm_config *vc = vm->cfg;
	memset(info, 0, sizeof(*info));
	strncpy(info->name, vc->name, HV_NAME_MAX - 1);
	info->index = vm->index;
	info->nr_vcpus = vc->cpus;
	info->ram_size = vc->mem_mib << 20;
	info->kernel_ipa = HV_SRV_MODULES;
	info->kernel_size = vc->kernel_size;
	info->initrd_ipa = HV_SRV_MODULES + ALIGN_2M(vc->kernel_size);
	info->initrd_size = vc->initrd_size;
	info->testhooks = vc->testhooks;
	info->rng = vc->rng;
	info->disk = vc->disk;
	info->net = vc->net && !switch_monitor(&vm->mon, vm->index, info->mac);
	info->crash_on_start = vm->crash_loop;
	info->instance = vm->restarts;
	strncpy(info->bootargs, vc->bootargs, HV_BOOTARGS_MAX - 1);
}

static int monitor_maps(struct vm *vm)
{
	const struct vm_config *vc = vm->cfg;
	struct server *s = &vm->mon;
	int err = server_map(s, vm->state_pa, HV_SRV_STATE, HV_SRV_STATE_SIZE, HV_MAP_R | HV_MAP_W);
	if (!err)
		err = server_map(s, (uint32_t)stream_ring(vm->index), HV_SRV_RING, 4096,
		                 HV_MAP_R | HV_MAP_W);
	if (!err)
		err =
		    server_map(s, vm->ram_pa, HV_GUEST_RAM, vc->mem_mib << 20, HV_MAP_R | HV_MAP_W);
	if (!err)
		err = server_map(s, vc->kernel_pa, HV_SRV_MODULES, PAGE_UP(vc->kernel_size),
		                 HV_MAP_R);
	if (!err && vc->initrd_size)
		err = server_map(s, vc->initrd_pa, HV_SRV_MODULES + ALIGN_2M(vc->kernel_size),
		                 PAGE_UP(vc->initrd_size), HV_MAP_R);
	return err;
}

static int monitor_caps(struct vm *vm)
{
	struct server *s = &vm->mon;
	int err = server_grant(s, VMM_CAP_EXIT_EP, vm->exit_ep, HV_RIGHT_READ, 0);
	if (!err)
		err = console_grant_ntfn(s, VMM_CAP_CONSOLE, vm->index);
	if (!err)
		err = server_grant(s, VMM_CAP_NTFN, vm->ntfn, HV_RIGHT_READ, 0);
	if (!err)
		err = server_grant(s, VMM_CAP_INIT, supervisor_ep, HV_RIGHT_WRITE,
		                   INIT_BADGE_MONITOR | vm->index);
	if (!err && rng_ep) /* for the guest's rng-seed, and its virtio-rng if rng=on */
		err = server_grant(s, VMM_CAP_RNG, rng_ep, HV_RIGHT_WRITE, vm->index);
	for (unsigned j = 0; !err && j < vm->cfg->cpus; j++)
		err = server_grant(s, VMM_CAP_VCPU0 + j, vm->vcpu[j],
		                   HV_RIGHT_READ | HV_RIGHT_WRITE, 0);
	if (!err)
		err = hv_bind_ntfn((uint32_t)s->thread, (uint32_t)vm->ntfn);
	return err;
}

static int monitor_start(struct vm *vm)
{
	int err =
	    server_create(&vm->mon, "vmm", MONITOR_PRIO, vm->cpu, INIT_BADGE_FAULT | vm->index);
	if (err)
		return err;
	fill_info(vm);
	err = monitor_maps(vm);
	if (!err)
		err = monitor_caps(vm);
	if (!err)
		err = blk_monitor_setup(&vm->mon, vm->index, (struct vmm_info *)vm->mon.info_pa);
	if (!err)
		err = hv_thread_resume((uint32_t)vm->mon.thread);
	if (err)
		log_printf("%s: cannot start its monitor: error %d\n", vm->cfg->name, err);
	vm->started_at = hv_time(NULL);
	return err;
}

static int guest_create(struct vm *vm)
{
	const struct vm_config *vc = vm->cfg;
	vm->guest_as = slot_alloc();
	vm->exit_ep = slot_alloc();
	vm->ntfn = slot_alloc();
	int err = hv_obj_create(C_CONTROL, HV_OBJ_ASPACE, (uint32_t)vm->guest_as, 1);
	if (!err)
		err = hv_obj_create(C_CONTROL, HV_OBJ_ENDPOINT, (uint32_t)vm->exit_ep, 0);
	if (!err)
		err = hv_obj_create(C_CONTROL, HV_OBJ_NOTIFICATION, (uint32_t)vm->ntfn, 0);
	if (!err)
		err = hv_map((uint32_t)vm->guest_as, C_MEMORY, vm->ram_pa, HV_GUEST_RAM,
		             vc->mem_mib << 20, HV_MAP_RWX);
	if (!err)
		err = hv_map((uint32_t)vm->guest_as, HV_INIT_CAP_GICV, bootinfo->gicv_pa,
		             HV_GUEST_GICC, 0x2000, HV_MAP_R | HV_MAP_W);
	vm->eoi = slot_alloc(); /* signals VMM_NTFN_EOI on the VM's notification */
	if (!err)
		err = hv_cap_copy(C_SELF, (uint32_t)vm->eoi, (uint32_t)vm->ntfn, HV_RIGHT_WRITE,
		                  VMM_NTFN_EOI);
	for (unsigned j = 0; !err && j < vc->cpus; j++) {
		vm->vcpu[j] = slot_alloc();
		err = hv_obj_create(C_CONTROL, HV_OBJ_VCPU, (uint32_t)vm->vcpu[j], j);
		if (!err)
			err = hv_vcpu_notify_eoi((uint32_t)vm->vcpu[j], (uint32_t)vm->eoi);
		if (!err)
			err = hv_thread_config(
			    (uint32_t)vm->vcpu[j], (uint32_t)vm->guest_as, HV_GUEST_RAM + 0x8000, 0,
			    VCPU_PRIO, (vm->cpu + j) % bootinfo->nr_cpus, (uint32_t)vm->exit_ep, j);
	}
	return err;
}

int vm_create(unsigned index, const struct vm_config *vc)
{
	struct vm *vm = &vms[index];
	memset(vm, 0, sizeof(*vm));
	vm->used = true;
	vm->cfg = vc;
	vm->index = index;
	vm->cpu = index % bootinfo->nr_cpus;
	vm->ram_pa = mem_alloc(vc->mem_mib << 20, 0x200000);
	vm->state_pa = mem_alloc(HV_SRV_STATE_SIZE, HV_SRV_STATE_SIZE);
	if (!vm->ram_pa || !vm->state_pa) {
		log_printf("%s: not enough memory for %u MiB\n", vc->name, (unsigned)vc->mem_mib);
		vm->state = VM_FAILED;
		return -1;
	}
	if (vc->rng && !rng_ep)
		log_printf("%s: rng=on, but the entropy server is not running: its virtio-rng "
		           "device will fail\n",
		           vc->name);
	if (vc->disk)
		blk_add_vm(index, vc->name, vm->ram_pa, vc->mem_mib << 20);
	if (guest_create(vm) || console_grant_input(index, vm->ntfn) ||
	    (vc->net && switch_grant_port(index, vm->ntfn)) || monitor_start(vm)) {
		vm->state = VM_FAILED;
		return -1;
	}
	vm->state = VM_RUNNING;
	return 0;
}

/* A reset VM starts a new life on its console stream: typed-ahead input is
 * dropped and the output tag no exit of the new life can carry (ring.h). */
static void ring_reset(struct hv_ring *r)
{
	r->rx_cons = r->rx_prod;
	r->tx_commit = (uint64_t)hv_ring_tx_prod(r);
}

static void teardown(struct vm *vm)
{
	server_destroy(&vm->mon);
	for (unsigned j = 0; j < vm->cfg->cpus; j++)
		if (vm->vcpu[j])
			destroy_retry(vm->vcpu[j]);
	destroy_retry(vm->exit_ep);
	destroy_retry(vm->ntfn);
	slot_free(vm->eoi); /* its cap went with the notification */
	destroy_retry(vm->guest_as);
	memset(vm->vcpu, 0, sizeof(vm->vcpu));
	vm->exit_ep = vm->ntfn = vm->eoi = vm->guest_as = 0; /* the slots are reused */
}

static void suspend_vcpus(struct vm *vm)
{
	for (unsigned j = 0; j < vm->cfg->cpus; j++)
		hv_thread_suspend((uint32_t)vm->vcpu[j]);
}

void vm_monitor_faulted(unsigned index, const uint32_t *m)
{
	struct vm *vm = &vms[index];
	uint64_t now = hv_time(NULL);
	if (index >= HV_MAX_VMS || !vm->used || vm->state != VM_RUNNING)
		return;
	log_printf("%s: monitor faulted (hsr 0x%08x, address 0x%08x, pc 0x%08x)\n", vm->cfg->name,
	           (unsigned)m[0], (unsigned)m[1], (unsigned)m[2]);
	server_destroy(&vm->mon);
	vm->streak = now - vm->started_at < ms_to_ticks(HEALTHY_MS) ? vm->streak + 1 : 1;
	if (vm->streak > MAX_STREAK) {
		suspend_vcpus(vm);
		vm->state = VM_FAILED;
		log_printf("%s: monitor failed after %u restarts, VM stopped\n", vm->cfg->name,
		           vm->restarts);
		return;
	}
	/* the first crash of a streak restarts at once, then 10, 20, 40 ms */
	vm->state = VM_RESTARTING;
	vm->restart_at =
	    vm->streak == 1 ? now : now + ms_to_ticks(BACKOFF_BASE_MS << (vm->streak - 2));
}

void vm_restart_due(uint64_t now)
{
	for (unsigned i = 0; i < HV_MAX_VMS; i++) {
		struct vm *vm = &vms[i];
		if (!vm->used || vm->state != VM_RESTARTING || now < vm->restart_at)
			continue;
		vm->restarts++;
		if (monitor_start(vm)) {
			vm->state = VM_FAILED;
			continue;
		}
		vm->state = VM_RUNNING;
		log_printf("%s: monitor restarted (restart %u)\n", vm->cfg->name, vm->restarts);
	}
}

uint64_t vm_next_deadline(void)
{
	uint64_t next = 0;
	for (unsigned i = 0; i < HV_MAX_VMS; i++)
		if (vms[i].used && vms[i].state == VM_RESTARTING &&
		    (!next || vms[i].restart_at < next))
			next = vms[i].restart_at;
	return next;
}

static void sum_stats(struct vm *vm, uint32_t ec, struct hv_exit_stats *sum)
{
	memset(sum, 0, sizeof(*sum));
	for (unsigned j = 0; j < vm->cfg->cpus && vm->vcpu[j]; j++) {
		struct hv_exit_stats s;
		if (hv_vcpu_stats((uint32_t)vm->vcpu[j], ec, &s))
			continue;
		sum->count += s.count;
		sum->cost += s.cost;
		sum->serial += s.serial;
	}
}

static int control_crash(struct vm *vm, bool loop)
{
	if (vm->state != VM_RUNNING)
		return -1;
	vm->crash_loop = loop;
	return hv_signal((uint32_t)vm->ntfn) ? -1 : 0;
}

/* A control-prompt command from the console; m is the request and reply. */
void vm_control(uint32_t *m)
{
	uint32_t cmd = m[0], idx = m[1];
	struct vm *vm = idx < HV_MAX_VMS && vms[idx].used ? &vms[idx] : NULL;
	struct hv_exit_stats st;
	m[0] = (uint32_t)-1;
	if (!vm)
		return;
	switch (cmd) {
	case INIT_LIST:
		sum_stats(vm, 0, &st);
		m[1] = vm->state;
		m[2] = vm->cfg->cpus;
		m[3] = st.serial;
		m[4] = vm->restarts;
		break;
	case INIT_STATS:
		sum_stats(vm, m[2] & 0x3f, &st);
		m[1] = st.count;
		m[2] = (uint32_t)st.cost;
		m[3] = (uint32_t)(st.cost >> 32);
		break;
	case INIT_CRASH:
		if (control_crash(vm, m[2] != 0))
			return;
		break;
	case INIT_DESTROY:
		if (vm->state == VM_DESTROYED)
			return;
		if (vm->state != VM_OFF) /* an off VM is torn down already */
			teardown(vm);
		vm->state = VM_DESTROYED;
		log_printf("%s: destroyed\n", vm->cfg->name);
		break;
	default: return;
	}
	m[0] = 0;
}

/* PSCI SYSTEM_OFF / SYSTEM_RESET, reported by the VM's monitor. */
void vm_power(unsigned index, uint32_t what)
{
	struct vm *vm = &vms[index];
	if (index >= HV_MAX_VMS || !vm->used || vm->state != VM_RUNNING)
		return;
	teardown(vm);
	if (what == INIT_POWER_RESET) {
		log_printf("%s: reset\n", vm->cfg->name);
		const struct vm_config *vc = vm->cfg;
		uint32_t ram = vm->ram_pa, state = vm->state_pa;
		memset((void *)state, 0, HV_SRV_STATE_SIZE);
		memset((void *)ram, 0, vc->mem_mib << 20);
		ring_reset(stream_ring(vm->index));
		if (guest_create(vm) || console_grant_input(vm->index, vm->ntfn) ||
		    (vc->net && switch_grant_port(vm->index, vm->ntfn)) || monitor_start(vm))
			vm->state = VM_FAILED;
		return;
	}
	vm->state = VM_OFF;
	log_printf("%s: powered off\n", vm->cfg->name);
}

bool vms_all_stopped(bool *any_failed)
{
	*any_failed = false;
	for (unsigned i = 0; i < HV_MAX_VMS; i++) {
		if (!vms[i].used)
			continue;
		if (vms[i].state == VM_RUNNING || vms[i].state == VM_RESTARTING)
			return false;
		if (vms[i].state != VM_OFF)
			*any_failed = true;
	}
	return true;
}
