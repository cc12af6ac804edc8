-- wrk script: POST /v1/collect with a realistic GitLab Job Hook body (about 2 KB),
-- each request a different build_id, so every one is a new durable insert.
-- Usage: wrk -t4 -c32 -d20s -s bench/webhook.lua http://127.0.0.1:PORT/v1/collect
-- The webhook token is read from GANTRY_BENCH_TOKEN (default "bench-token").

local token = os.getenv("GANTRY_BENCH_TOKEN") or "bench-token"
local threads = {}
local counter = 0
local base = 0

function setup(thread)
  thread:set("thread_index", #threads + 1)
  table.insert(threads, thread)
end

function init(args)
  -- distinct id ranges per wrk thread and per run, so that reruns against the same
  -- database are still new events and not duplicates
  base = (os.time() % 100000) * 10000000 + (thread_index or 1) * 1000000
  wrk.method = "POST"
  wrk.headers["Content-Type"] = "application/json"
  wrk.headers["X-Gitlab-Event"] = "Job Hook"
  wrk.headers["X-Gitlab-Token"] = token
end

local template = [[{"object_kind":"build","ref":"develop","tag":false,"before_sha":"0000000000000000000000000000000000000000","sha":"2f6bd9ec5ad4bb61f6b5d5e2de72b4e8c6f1f1f1","retries_count":0,"build_id":%d,"build_name":"gmsh@4.8.4 /abcdefg %%gcc@11.4.0 arch=linux-ubuntu20.04-x86_64_v3 E4S","build_stage":"stage-1","build_status":"success","build_created_at":"2024-01-24 17:20:01 UTC","build_started_at":"2024-01-24 17:24:06 UTC","build_finished_at":"2024-01-24 17:47:00 UTC","build_duration":1374.3,"build_queued_duration":245.1,"build_allow_failure":false,"build_failure_reason":"unknown_failure","pipeline_id":1234567,"runner":{"id":1234,"description":"aws","runner_type":"instance_type","active":true,"is_shared":true,"tags":["spack","public","x86_64_v3","aws","medium"]},"project_id":2,"project_name":"spack / spack","user":{"id":1,"name":"Spack Bot","username":"spackbot","avatar_url":"https://gitlab.example.org/uploads/-/system/user/avatar/1/avatar.png","email":"[REDACTED]"},"commit":{"id":1234567,"name":null,"sha":"2f6bd9ec5ad4bb61f6b5d5e2de72b4e8c6f1f1f1","message":"gmsh: add version 4.8.4\n","author_name":"Someone","author_email":"someone@example.org","author_url":"mailto:someone@example.org","status":"running","duration":null,"started_at":"2024-01-24 17:10:00 UTC","finished_at":null},"repository":{"name":"spack","url":"git@gitlab.example.org:spack/spack.git","description":"A flexible package manager that supports multiple versions, configurations, platforms, and compilers.","homepage":"https://gitlab.example.org/spack/spack","git_http_url":"https://gitlab.example.org/spack/spack.git","git_ssh_url":"git@gitlab.example.org:spack/spack.git","visibility_level":20},"environment":null}]]

function request()
  counter = counter + 1
  return wrk.format(nil, nil, nil, string.format(template, base + counter))
end

local non200 = 0
function response(status, headers, body)
  if status ~= 200 then
    non200 = non200 + 1
    if non200 <= 3 then
      io.stderr:write("status " .. status .. ": " .. (body or "") .. "\n")
    end
  end
end

function done(summary, latency, requests)
  local bad = summary.errors.status + summary.errors.connect + summary.errors.read
      + summary.errors.write + summary.errors.timeout
  io.write(string.format("requests: %d, not 2xx or failed: %d, p50 %.2f ms, p99 %.2f ms, max %.2f ms\n",
      summary.requests, bad, latency:percentile(50) / 1000, latency:percentile(99) / 1000, latency.max / 1000))
end
