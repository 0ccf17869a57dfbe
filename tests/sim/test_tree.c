// SPDX-License-Identifier: MIT
/*
 * The simulated tree without FUSE: which files exist on which generation,
 * their modes, the symlink targets, one store per write (page split, empty
 * writes), the write log format, injected faults and the control file.
 */
#include "config.h"

#include <fcntl.h>
#include <unistd.h>

#include "simtest.h"

/* Lists a directory as "name name ..." (dirs get a trailing '/'). */
static const char *ls(const char *path)
{
	static char out[8192];
	struct sim_dirent *ents;
	struct sim_node n;
	size_t count, k = 0;

	out[0] = '\0';
	if (sim_resolve(&F, path, true, &n))
		return "<ENOENT>";
	assert_int_equal(sim_list(&F, &n, &ents, &count), 0);
	for (size_t i = 0; i < count; i++)
		k += (size_t)snprintf(out + k, sizeof(out) - k, "%s%s%s", i ? " " : "",
				      ents[i].name, ents[i].type == SIM_DIR ? "/" : "");
	free(ents);
	return out;
}

static mode_t mode_of(const char *path)
{
	struct sim_node n;
	enum sim_ntype t;
	mode_t mode;

	assert_int_equal(sim_resolve(&F, path, false, &n), 0);
	assert_int_equal(sim_stat(&F, &n, &t, &mode), 0);
	return mode;
}

static const char *link_of(const char *path)
{
	static char buf[512];
	struct sim_node n;

	assert_int_equal(sim_resolve(&F, path, false, &n), 0);
	assert_int_equal(sim_readlink(&F, &n, buf, sizeof(buf)), 0);
	return buf;
}

/* ---- layout ---------------------------------------------------------------------- */

static void layout_612(void **state)
{
	boot("seed", SIM_KERNEL_6_12);
	assert_string_equal(ls(""), "bus/ class/ devices/ kernel/");
	assert_string_equal(ls("bus"), "ap/ matrix/ mdev/");
	assert_string_equal(ls("bus/ap"),
		"ap_adapter_mask ap_control_domain_mask ap_domain ap_interrupts "
		"ap_max_adapter_id ap_max_domain_id ap_usage_domain_mask apmask aqmask bindings "
		"config_time devices/ drivers/ drivers_autoprobe drivers_probe features "
		"poll_thread poll_timeout scans uevent");
	assert_string_equal(ls("bus/ap/drivers"), "cex4card/ cex4queue/ vfio_ap/");
	assert_string_equal(ls("bus/ap/drivers/cex4card"), "bind uevent unbind card05 card06");
	assert_string_equal(ls("devices/ap"), "uevent card05/ card06/");
	assert_string_equal(ls("devices/ap/card05"),
		"ap_functions chkstop config depth driver hwtype load max_msg_size modalias "
		"online pendingq_count raw_hwtype request_count requestq_count subsystem type "
		"uevent 05.0004/ 05.0047/ 05.00ab/ 05.00ff/");
	assert_string_equal(ls("devices/ap/card05/05.0004"),
		"ap_functions chkstop config driver interrupt load online pendingq_count "
		"request_count requestq_count reset subsystem uevent");
	assert_string_equal(ls("devices/vfio_ap"), "matrix/ uevent");
	assert_string_equal(ls("devices/vfio_ap/matrix"),
			    "driver features mdev_supported_types/ subsystem uevent");
	assert_string_equal(ls("devices/vfio_ap/matrix/mdev_supported_types/vfio_ap-passthrough"),
			    "available_instances create device_api devices/ name");
	assert_string_equal(ls("bus/matrix"),
			    "devices/ drivers/ drivers_autoprobe drivers_probe uevent");
	assert_string_equal(ls("bus/matrix/drivers/vfio_ap"), "matrix uevent");
	assert_string_equal(ls("bus/mdev/drivers"), "vfio_ap_mdev/");
	assert_string_equal(ls("class/mdev_bus"), "matrix");
	OK(CREATE, UA);
	assert_string_equal(ls("devices/vfio_ap/matrix/" UA),
		"ap_config assign_adapter assign_control_domain assign_domain control_domains "
		"driver guest_matrix iommu_group matrix mdev_type remove subsystem "
		"unassign_adapter unassign_control_domain unassign_domain uevent");
	assert_string_equal(ls("kernel/iommu_groups"), "0/");
	assert_string_equal(ls("kernel/iommu_groups/0"), "devices/ reserved_regions type");
	assert_string_equal(ls("kernel/iommu_groups/0/devices"), UA);
	OK("bus/ap/apmask", "-5");
	assert_string_equal(ls("devices/ap/card05/05.0004"),
		"ap_functions chkstop config driver interrupt pendingq_count request_count "
		"requestq_count reset status subsystem uevent");
	assert_string_equal(ls("bus/ap/drivers/vfio_ap"),
			    "bind uevent unbind 05.0004 05.0047 05.00ab 05.00ff");
	/* the control directory is not listed but can be opened */
	assert_true(exists(".apsim/ctl"));
}

static void layout_60(void **state)
{
	boot("seed", SIM_KERNEL_6_0);
	assert_string_equal(ls("bus/ap"),
		"ap_adapter_mask ap_control_domain_mask ap_domain ap_interrupts "
		"ap_max_adapter_id ap_max_domain_id ap_usage_domain_mask apmask aqmask bindings "
		"config_time devices/ drivers/ drivers_autoprobe drivers_probe "
		"poll_thread poll_timeout scans uevent");
	assert_int_equal(mode_of("bus/ap/scans"), 0644);	/* scans_store() */
	/* the CEX2/CEX3 drivers until 6.6 */
	assert_string_equal(ls("bus/ap/drivers"),
		"cex2acard/ cex2aqueue/ cex2card/ cex2cqueue/ cex4card/ cex4queue/ vfio_ap/");
	assert_string_equal(ls("devices/vfio_ap/matrix"),
			    "driver mdev_supported_types/ subsystem uevent");
	assert_string_equal(ls("devices/ap/card05/05.0004"),
		"chkstop config driver interrupt load online pendingq_count "
		"request_count requestq_count reset subsystem uevent");
	OK(CREATE, UA);
	assert_string_equal(ls("devices/vfio_ap/matrix/" UA),
		"assign_adapter assign_control_domain assign_domain control_domains "
		"driver guest_matrix iommu_group matrix mdev_type remove subsystem "
		"unassign_adapter unassign_control_domain unassign_domain uevent");
	OK("bus/ap/apmask", "-5");
	/* vfio_ap's queue status (f139862b92cf), no driver_override */
	assert_string_equal(ls("devices/ap/card05/05.0004"),
		"chkstop config driver interrupt pendingq_count request_count requestq_count "
		"reset status subsystem uevent");
	assert_string_equal(R("devices/vfio_ap/matrix/uevent"), "DRIVER=vfio_ap\n");
}

static void layout_420(void **state)
{
	boot("seed", SIM_KERNEL_4_20);
	assert_string_equal(ls("bus"), "ap/ mdev/");
	assert_string_equal(ls("bus/ap"),
		"ap_adapter_mask ap_control_domain_mask ap_domain ap_interrupts "
		"ap_max_domain_id ap_usage_domain_mask apmask aqmask "
		"config_time devices/ drivers/ drivers_autoprobe drivers_probe "
		"poll_thread poll_timeout uevent");
	assert_string_equal(ls("bus/ap/drivers"),
		"cex2acard/ cex2aqueue/ cex2card/ cex2cqueue/ cex4card/ cex4queue/ vfio_ap/");
	/* no bus for the matrix device, hence no driver and subsystem links */
	assert_string_equal(ls("devices/vfio_ap/matrix"), "mdev_supported_types/ uevent");
	assert_string_equal(ls("devices/ap/card05"),
		"ap_functions depth driver hwtype load modalias "
		"online pendingq_count raw_hwtype request_count requestq_count subsystem type "
		"uevent 05.0004/ 05.0047/ 05.00ab/ 05.00ff/");
	assert_string_equal(ls("devices/ap/card05/05.0004"),
		"driver interrupt load online pendingq_count request_count requestq_count reset "
		"subsystem uevent");
	assert_string_equal(ls("bus/mdev/drivers"), "vfio_mdev/");
	OK(CREATE, UA);
	assert_string_equal(ls("devices/vfio_ap/matrix/" UA),
		"assign_adapter assign_control_domain assign_domain control_domains "
		"driver iommu_group matrix mdev_type remove subsystem "
		"unassign_adapter unassign_control_domain unassign_domain uevent");
	assert_string_equal(link_of("devices/vfio_ap/matrix/" UA "/driver"),
			    "../../../../bus/mdev/drivers/vfio_mdev");
	assert_string_equal(R("devices/vfio_ap/matrix/" UA "/uevent"), "DRIVER=vfio_mdev\n");
}

static void modes_links(void **state)
{
	boot("seed", SIM_KERNEL_6_12);
	OK(CREATE, UA);
	assert_int_equal(mode_of("bus/ap/apmask"), 0644);
	assert_int_equal(mode_of("bus/ap/ap_adapter_mask"), 0444);
	assert_int_equal(mode_of("bus/ap/drivers_probe"), 0200);
	assert_int_equal(mode_of("bus/ap/uevent"), 0200);
	assert_int_equal(mode_of("bus/ap/drivers/vfio_ap/bind"), 0200);
	assert_int_equal(mode_of("devices/ap/card05/uevent"), 0644);
	assert_int_equal(mode_of(CREATE), 0200);
	assert_int_equal(mode_of(MDEV(UA, "assign_adapter")), 0200);
	assert_int_equal(mode_of(MDEV(UA, "matrix")), 0444);
	assert_int_equal(mode_of(MDEV(UA, "ap_config")), 0644);
	assert_int_equal(mode_of(MDEV(UA, "remove")), 0200);
	assert_int_equal(mode_of("bus/ap/scans"), 0644);

	assert_string_equal(link_of("bus/ap/devices/card05"), "../../../devices/ap/card05");
	assert_string_equal(link_of("bus/ap/devices/05.0004"),
			    "../../../devices/ap/card05/05.0004");
	assert_string_equal(link_of("bus/ap/drivers/cex4queue/05.0004"),
			    "../../../../devices/ap/card05/05.0004");
	assert_string_equal(link_of("devices/ap/card05/subsystem"), "../../../bus/ap");
	assert_string_equal(link_of("devices/ap/card05/driver"), "../../../bus/ap/drivers/cex4card");
	assert_string_equal(link_of("devices/ap/card05/05.0004/subsystem"), "../../../../bus/ap");
	assert_string_equal(link_of("devices/ap/card05/05.0004/driver"),
			    "../../../../bus/ap/drivers/cex4queue");
	assert_string_equal(link_of("devices/vfio_ap/matrix/driver"),
			    "../../../bus/matrix/drivers/vfio_ap");
	assert_string_equal(link_of("devices/vfio_ap/matrix/subsystem"), "../../../bus/matrix");
	assert_string_equal(link_of("bus/matrix/devices/matrix"), "../../../devices/vfio_ap/matrix");
	assert_string_equal(link_of("bus/matrix/drivers/vfio_ap/matrix"),
			    "../../../../devices/vfio_ap/matrix");
	assert_string_equal(link_of("class/mdev_bus/matrix"), "../../devices/vfio_ap/matrix");
	assert_string_equal(link_of(MDEV(UA, "mdev_type")),
			    "../mdev_supported_types/vfio_ap-passthrough");
	assert_string_equal(link_of(MDEV(UA, "driver")), "../../../../bus/mdev/drivers/vfio_ap_mdev");
	assert_string_equal(link_of(MDEV(UA, "subsystem")), "../../../../bus/mdev");
	assert_string_equal(link_of(MDEV(UA, "iommu_group")), "../../../../kernel/iommu_groups/0");
	assert_string_equal(link_of("bus/mdev/devices/" UA), "../../../devices/vfio_ap/matrix/" UA);
	assert_string_equal(link_of("bus/mdev/drivers/vfio_ap_mdev/" UA),
			    "../../../../devices/vfio_ap/matrix/" UA);
	assert_string_equal(link_of("devices/vfio_ap/matrix/mdev_supported_types/"
				    "vfio_ap-passthrough/devices/" UA), "../../../" UA);
	assert_string_equal(link_of("kernel/iommu_groups/0/devices/" UA),
			    "../../../../devices/vfio_ap/matrix/" UA);
	/* following links: the same node as the canonical path */
	assert_string_equal(R("bus/mdev/devices/" UA "/matrix"), "");
	assert_string_equal(R("bus/ap/devices/card05/05.0004/../hwtype"), "11\n");
	/* uevent texts */
	assert_string_equal(R("devices/ap/card05/uevent"),
		"DEVTYPE=ap_card\nDRIVER=cex4card\nDEV_TYPE=000B\nMODALIAS=ap:t0B\nMODE=cca\n");
	assert_string_equal(R("devices/ap/card06/06.0004/uevent"),
		"DEVTYPE=ap_queue\nDRIVER=cex4queue\nMODE=accel\n");
	/* 6.x: the matrix device has no device type, the mdev bus no uevent
	 * callback (vfio_ap_matrix_dev_create(), mdev_bus_type) */
	assert_string_equal(R("devices/vfio_ap/matrix/uevent"), "DRIVER=vfio_ap\n");
	assert_string_equal(R(MDEV(UA, "uevent")), "DRIVER=vfio_ap_mdev\n");
	assert_string_equal(R("devices/ap/uevent"), "");
	assert_string_equal(R("devices/vfio_ap/matrix/features"), "guest_matrix hotplug ap_config\n");
	assert_string_equal(R("devices/vfio_ap/matrix/mdev_supported_types/vfio_ap-passthrough/name"),
			    "VFIO AP Passthrough Device\n");
	assert_string_equal(R("devices/vfio_ap/matrix/mdev_supported_types/vfio_ap-passthrough/"
			      "device_api"), "vfio-ap\n");
	/* names are exact: no uppercase, no other widths */
	assert_false(exists("devices/ap/card5"));
	assert_false(exists("devices/ap/CARD05"));
	assert_false(exists("devices/ap/card05/05.004"));
	assert_false(exists("bus/ap/devices/05.0005"));
	assert_false(exists("devices/vfio_ap/matrix/" UB));
}

/* The packed node is the inode number: the root must be 1, and round trip. */
static void nodes(void **state)
{
	struct sim_node root = sim_root(), n, back;
	char path[512];

	assert_int_equal(sim_node_pack(&root), 1);
	boot("full", SIM_KERNEL_6_12);
	assert_int_equal(sim_resolve(&F, "devices/ap/cardff/ff.00ff/online", false, &n), 0);
	back = sim_node_unpack(sim_node_pack(&n));
	assert_true(sim_node_eq(&n, &back));
	sim_path(&F, &n, path, sizeof(path));
	assert_string_equal(path, "devices/ap/cardff/ff.00ff/online");
	assert_int_equal(sim_resolve(&F, "bus/ap/devices/ff.00ff/online", true, &n), 0);
	sim_path(&F, &n, path, sizeof(path));
	assert_string_equal(path, "devices/ap/cardff/ff.00ff/online");
	assert_int_equal(sim_resolve(&F, "bus/ap/apmask/x", true, &n), ENOTDIR);
	assert_int_equal(sim_resolve(&F, "bus/nothing", true, &n), ENOENT);
	teardown_fs(NULL);
}

/* ---- one write = one store -------------------------------------------------------- */

static int log_pipe[2];

static const char *log_text(void)
{
	static char buf[65536];
	ssize_t n = read(log_pipe[0], buf, sizeof(buf) - 1);

	buf[n > 0 ? n : 0] = '\0';
	return buf;
}

static void log_setup(void)
{
	assert_int_equal(pipe(log_pipe), 0);
	assert_int_equal(fcntl(log_pipe[0], F_SETFL, O_NONBLOCK), 0);
	F.log_fd = log_pipe[1];
}

static void log_teardown(void)
{
	close(log_pipe[0]);
	close(log_pipe[1]);
	F.log_fd = -1;
}

static void stores_and_log(void **state)
{
	char big[5000];
	struct sim_node n;
	size_t done;

	boot("seed", SIM_KERNEL_6_12);
	log_setup();
	/* a 5000-byte write: one page goes to the store, the rest is a new write */
	memset(big, '+', sizeof(big));
	assert_int_equal(sim_resolve(&F, "bus/ap/uevent", true, &n), 0);
	assert_int_equal(sim_write(&F, &n, big, sizeof(big), &done), EINVAL);
	assert_int_equal(F.stores, 1);
	assert_int_equal(sim_resolve(&F, "bus/ap/apmask", true, &n), 0);
	memcpy(big, "-1", 2);
	assert_int_equal(sim_write(&F, &n, big, 4096 + 100, &done), EINVAL);
	/* an empty write is no store */
	assert_int_equal(sim_write(&F, &n, "", 0, &done), 0);
	assert_int_equal(done, 0);
	assert_int_equal(F.stores, 2);
	(void)log_text();
	OK("bus/ap/apmask", "-1,-2\n");
	assert_int_equal(sim_write(&F, &n, "+1", 2, &done), 0);
	assert_int_equal(done, 2);
	ERR("bus/ap/ap_domain", "x1\t2\\3\001\377", EINVAL);
	assert_string_equal(log_text(),
		"bus/ap/apmask\t-1,-2\\n\t0\n"
		"bus/ap/apmask\t+1\t0\n"
		"bus/ap/ap_domain\tx1\\t2\\\\3\\x01\\xff\tEINVAL\n");
	/* through a link: the canonical path is logged */
	OK(CREATE, UA "\n");
	OK("bus/mdev/devices/" UA "/assign_adapter", "5\n");
	assert_string_equal(log_text(),
		"devices/vfio_ap/matrix/mdev_supported_types/vfio_ap-passthrough/create\t" UA
		"\\n\t0\n"
		"devices/vfio_ap/matrix/" UA "/assign_adapter\t5\\n\t0\n");
	/* direction checks */
	assert_int_equal(sim_resolve(&F, MDEV(UA, "matrix"), true, &n), 0);
	assert_int_equal(sim_write(&F, &n, "x", 1, &done), EACCES);
	assert_false(sim_can_write(&F, &n));
	assert_true(sim_can_read(&F, &n));
	assert_int_equal(sim_resolve(&F, MDEV(UA, "assign_adapter"), true, &n), 0);
	assert_false(sim_can_read(&F, &n));
	assert_string_equal(R(MDEV(UA, "assign_adapter")), "<EACCES>");
	/* the control file is not logged and no store */
	ctl("rescan");
	assert_string_equal(log_text(), "");
	log_teardown();
}

/* ---- faults and the control file ------------------------------------------------------ */

static void faults(void **state)
{
	char *before;

	boot("seed", SIM_KERNEL_6_12);
	log_setup();
	OK("bus/ap/apmask", "-5,-6");
	OK(CREATE, UA);
	/* through the bus/mdev link: stored under the canonical path */
	ctl("fail bus/mdev/devices/" UA "/assign_adapter EBUSY 2");
	assert_non_null(strstr(R(".apsim/ctl"),
			       "fault devices/vfio_ap/matrix/" UA "/assign_adapter EBUSY 2\n"));
	ERR(MDEV(UA, "assign_adapter"), "5", EBUSY);
	ERR(MDEV(UA, "assign_adapter"), "5", EBUSY);
	OK(MDEV(UA, "assign_adapter"), "5");
	/* a path that does not exist yet, by number */
	ctl("fail devices/vfio_ap/matrix/" UB "/assign_domain 28");
	OK(CREATE, UB);
	ERR(MDEV(UB, "assign_domain"), "4", ENOSPC);
	OK(MDEV(UB, "assign_domain"), "4");
	/* the K-th store from now, whatever it is */
	ctl("fail-at 2 EIO");
	OK(MDEV(UA, "assign_domain"), "0x47");
	ERR(MDEV(UA, "assign_domain"), "0xab", EIO);
	OK(MDEV(UA, "assign_domain"), "0xab");
	/* any path */
	ctl("fail * EPERM");
	ERR("bus/ap/config_time", "60", EPERM);
	/* a refused store (by a fault) changes nothing even where it would succeed */
	before = sim_model_state(F.m);
	ctl("fail * EAGAIN\nfail " CREATE " EAGAIN");
	ERR(CREATE, UC, EAGAIN);
	ctl("clear-faults");
	OK("bus/ap/config_time", "60");
	free(before);
	assert_string_equal(log_text(),
		"bus/ap/apmask\t-5,-6\t0\n"
		"devices/vfio_ap/matrix/mdev_supported_types/vfio_ap-passthrough/create\t" UA "\t0\n"
		"devices/vfio_ap/matrix/" UA "/assign_adapter\t5\tEBUSY\n"
		"devices/vfio_ap/matrix/" UA "/assign_adapter\t5\tEBUSY\n"
		"devices/vfio_ap/matrix/" UA "/assign_adapter\t5\t0\n"
		"devices/vfio_ap/matrix/mdev_supported_types/vfio_ap-passthrough/create\t" UB "\t0\n"
		"devices/vfio_ap/matrix/" UB "/assign_domain\t4\tENOSPC\n"
		"devices/vfio_ap/matrix/" UB "/assign_domain\t4\t0\n"
		"devices/vfio_ap/matrix/" UA "/assign_domain\t0x47\t0\n"
		"devices/vfio_ap/matrix/" UA "/assign_domain\t0xab\tEIO\n"
		"devices/vfio_ap/matrix/" UA "/assign_domain\t0xab\t0\n"
		"bus/ap/config_time\t60\tEPERM\n"
		"devices/vfio_ap/matrix/mdev_supported_types/vfio_ap-passthrough/create\t" UC
		"\tEAGAIN\n"
		"bus/ap/config_time\t60\t0\n");
	log_teardown();
}

static void ctl_commands(void **state)
{
	const char *st;

	boot("seed", SIM_KERNEL_6_12);
	st = R(".apsim/ctl");
	assert_non_null(strstr(st, "kernel 6.12\n"));
	assert_non_null(strstr(st, "vfio_ap loaded\nstores 0\nmdevs 0\n"));
	/* unknown commands and bad arguments: EINVAL and a clear message */
	assert_int_equal(sim_ctl_write(&F, "frobnicate\n", 11), EINVAL);
	assert_non_null(strstr(R(".apsim/ctl"), "error unknown command \"frobnicate\"\n"));
	assert_int_equal(sim_ctl_write(&F, "fail x EWHAT", 12), EINVAL);
	assert_non_null(strstr(R(".apsim/ctl"), "is not an errno name"));
	assert_int_equal(sim_ctl_write(&F, "fail x 600", 10), EINVAL);
	assert_int_equal(sim_ctl_write(&F, "fail x 0", 8), EINVAL);
	assert_int_equal(sim_ctl_write(&F, "attach " UA, 43), ENODEV);
	assert_int_equal(sim_ctl_write(&F, "config adapter add 256", 22), EINVAL);
	assert_int_equal(sim_ctl_write(&F, "config adapter add 5", 20), EEXIST);
	assert_non_null(strstr(R(".apsim/ctl"), "error config: adapter 5 is already configured"));
	assert_int_equal(sim_ctl_write(&F, "config socket add 5", 19), EINVAL);
	assert_int_equal(sim_ctl_write(&F, "card 9 config 0", 15), ENODEV);
	assert_int_equal(sim_ctl_write(&F, "vfio_ap reload", 14), EINVAL);
	/* several lines, in order; the first failure stops and names its line */
	assert_int_equal(sim_ctl_write(&F, "# comment\n\nrescan\nbogus\nrescan\n", 32), EINVAL);
	assert_non_null(strstr(R(".apsim/ctl"), "error line 4: unknown command \"bogus\""));
	assert_string_equal(R("bus/ap/scans"), "2\n");
	/* success clears the error line */
	ctl("rescan");
	assert_null(strstr(R(".apsim/ctl"), "error"));
	/* guests */
	OK(CREATE, UA);
	ctl("attach " UA);
	assert_int_equal(sim_ctl_write(&F, "attach " UA, 43), EBUSY);
	assert_non_null(strstr(R(".apsim/ctl"), "guest " UA " 0x00"));
	ctl("detach " UA);
	assert_int_equal(sim_ctl_write(&F, "detach " UA, 43), EINVAL);
	/* configuration changes */
	ctl("config adapter remove 6\nconfig domain remove 0xff");
	assert_false(exists("devices/ap/card06"));
	assert_false(exists("devices/ap/card05/05.00ff"));
	assert_string_equal(R("bus/ap/bindings"), "3/3 (complete)\n");
	ctl("card 5 config 0");
	assert_string_equal(R("devices/ap/card05/config"), "0\n");
	/* reset: back to the topology, faults and the counter cleared */
	ctl("fail * EIO");
	ctl("reset");
	st = R(".apsim/ctl");
	assert_non_null(strstr(st, "stores 0\nmdevs 0\n"));
	assert_null(strstr(st, "fault"));
	assert_true(exists("devices/ap/card06/06.00ff"));
	assert_false(exists("devices/vfio_ap/matrix/" UA));
	/* vfio_ap */
	ctl("vfio_ap unload");
	assert_non_null(strstr(R(".apsim/ctl"), "vfio_ap unloaded\n"));
	assert_int_equal(sim_ctl_write(&F, "vfio_ap unload", 14), ENOENT);
	ctl("vfio_ap load");
}

/* ---- dump -------------------------------------------------------------------------------- */

static void dump(void **state)
{
	char dir[] = "/tmp/apsim-dump.XXXXXX", path[4200], buf[256], err[512];
	ssize_t n;
	int fd;

	assert_non_null(mkdtemp(dir));
	boot("seed", SIM_KERNEL_6_12);
	OK("bus/ap/apmask", "-5");
	OK(CREATE, UA);
	snprintf(path, sizeof(path), "%s/sys", dir);
	if (sim_dump(&F, path, err, sizeof(err)))
		fail_msg("%s", err);
	snprintf(path, sizeof(path), "%s/sys/bus/ap/apmask", dir);
	fd = open(path, O_RDONLY);
	assert_true(fd >= 0);
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	buf[n > 0 ? n : 0] = '\0';
	assert_string_equal(buf,
		"0xfbffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff\n");
	snprintf(path, sizeof(path), "%s/sys/bus/mdev/devices/%s", dir, UA);
	n = readlink(path, buf, sizeof(buf) - 1);
	assert_true(n > 0);
	buf[n] = '\0';
	assert_string_equal(buf, "../../../devices/vfio_ap/matrix/" UA);
	snprintf(path, sizeof(path), "%s/sys/.apsim", dir);
	assert_int_equal(access(path, F_OK), -1);
	/* into an existing tree: refused, nothing overwritten silently */
	snprintf(path, sizeof(path), "%s/sys", dir);
	assert_int_equal(sim_dump(&F, path, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "Directory not empty"));
	snprintf(path, sizeof(path), "rm -rf '%s'", dir);
	assert_int_equal(system(path), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_teardown(layout_612, teardown_fs),
		cmocka_unit_test_teardown(layout_60, teardown_fs),
		cmocka_unit_test_teardown(layout_420, teardown_fs),
		cmocka_unit_test_teardown(modes_links, teardown_fs),
		cmocka_unit_test_teardown(nodes, teardown_fs),
		cmocka_unit_test_teardown(stores_and_log, teardown_fs),
		cmocka_unit_test_teardown(faults, teardown_fs),
		cmocka_unit_test_teardown(ctl_commands, teardown_fs),
		cmocka_unit_test_teardown(dump, teardown_fs),
	};

	return cmocka_run_group_tests_name("apsim tree", tests, NULL, NULL);
}
