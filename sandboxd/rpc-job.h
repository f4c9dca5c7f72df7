/* SPDX-License-Identifier: MIT */
/* Jobs on the wire: background Exec, GetJob, WaitJob, CancelJob, ListJobs, JobLogs. */
#pragma once

#include "dispatch.h"
#include "exec.h"

struct session;

/* Starts a background exec and answers with its Job at once. */
int rpc_exec_background(struct rpc_call *call, struct session *s, const struct exec_params *p,
			Sandboxd__V1__Response *resp, struct sbx_error *e);

int rpc_get_job(struct rpc_call *call, Sandboxd__V1__Response *resp, struct sbx_error *e);
int rpc_wait_job(struct rpc_call *call, Sandboxd__V1__Response *resp, struct sbx_error *e);
int rpc_cancel_job(struct rpc_call *call, Sandboxd__V1__Response *resp, struct sbx_error *e);
int rpc_list_jobs(struct rpc_call *call, Sandboxd__V1__Response *resp, struct sbx_error *e);
int rpc_job_logs(struct rpc_call *call, Sandboxd__V1__Response *resp, struct sbx_error *e);
