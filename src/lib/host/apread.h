/* SPDX-License-Identifier: MIT */
/*
 * Inside host/ only: the sources ap_host_read() (host/ap.c) composes, each
 * in its own file.
 */
#ifndef APM_APREAD_H
#define APM_APREAD_H

struct ap_host;

/* host/bus.c: the masks, the bus's attributes, cards, queues, drivers, overrides. */
int ap_read_bus(struct ap_host *h, unsigned int flags);
/* The APQN index of the (sorted) queues, and each queue's card. */
int ap_index_queues(struct ap_host *h);
/* lszcrypt's STATUS of every queue (AP_READ_DETAIL). */
void ap_read_queue_detail(struct ap_host *h);

/* host/mdevs.c: the mdevs, the generation their files tell, the queues' owners. */
int ap_read_mdevs(struct ap_host *h);
void ap_detect_generation(struct ap_host *h);
void ap_link_mdevs(struct ap_host *h);

/* host/holders.c: which process holds each mdev open, from /proc. */
void ap_read_holders(struct ap_host *h);

/* host/bootfiles.c: the definitions, masks and override files kept for boot. */
void ap_read_boot_files(struct ap_host *h);

#endif
