#!/bin/bash
# SPDX-License-Identifier: MIT
# list --json tells what the kernel can do only as far as sysfs tells it:
# the queue status feature is seen on a queue bound to vfio_ap, so without
# one it is unknown (null), on every kernel generation.
. "$top_srcdir/tests/tap.sh"
. "$top_srcdir/tests/sim/lib.sh"

apm() { "$APMATRIX" --root "$SIM_ROOT" "$@"; }

# KERNEL VERSION: whether its vfio_ap queues have a status file
has_status() {
	case $1 in
	4.20 | 5.15) echo false ;;
	*) echo true ;;
	esac
}

for kernel in 4.20 5.15 6.0 6.1.y 6.12 6.19; do
	sim_start --kernel "$kernel" small
	run apm --json list
	is "$status" 0 "$kernel: list --json exits 0"
	is "$(printf '%s' "$out" | jq -c '.bus.kernel.queue_status')" null \
		"$kernel: no queue bound to vfio_ap: queue_status is unknown (null)"

	# without an mdev, the kernel release (6.0.0, 6.1.90 here) tells: every 6.x has hot plug
	case $kernel in
	6.12 | 6.19) want=true:features ;;
	6.0 | 6.1.y) want=true:release ;;
	*) want=false:assumed ;;
	esac
	is "$(printf '%s' "$out" | jq -r '.bus.kernel | "\(.hotplug):\(.hotplug_from)"')" "$want" \
		"$kernel: hotplug, and how it was decided (no mdev, no vfio_ap queue)"

	apm reserve --adapters 1 --domains 5 >/dev/null 2>&1 || bail_out "$kernel: reserve failed"
	run apm --json list
	is "$(printf '%s' "$out" | jq -c '.bus.kernel.queue_status')" "$(has_status "$kernel")" \
		"$kernel: a queue bound to vfio_ap tells queue_status"
	# a status file came in 5.17, before 6.0: only its absence tells (static); the
	# release still does
	case $kernel in
	6.12 | 6.19) want=true:features ;;
	6.0 | 6.1.y) want=true:release ;;
	*) want=false:queue_status ;;
	esac
	is "$(printf '%s' "$out" | jq -r '.bus.kernel | "\(.hotplug):\(.hotplug_from)"')" "$want" \
		"$kernel: the generation is told by a queue bound to vfio_ap"

	apm release --adapters 1 --domains 5 >/dev/null 2>&1 || bail_out "$kernel: release failed"
	run apm --json list
	is "$(printf '%s' "$out" | jq -c '.bus.kernel.queue_status')" null \
		"$kernel: released again: unknown again"
	sim_stop
done

done_testing
