#!/usr/bin/env bash
# The pytest part of `make test`: two pytest processes side by side on the machine's two cores.
#
# The "waiting" half (browser tests, real Celery workers, the beat start-up test) spends most of its time
# waiting on Chromium, workers and timeouts; the other half is CPU-bound database tests. Run one after the
# other they take the sum of both; side by side, about the longer one. Each half has its own test database
# (TEST_DB_SUFFIX, read by tests/conftest.py), its own Redis database (the cache is cleared between tests, and
# Celery queues live there too) and its own media folder, so neither can see the other's rows, keys or files.
# Usage: tests/run.sh PYTHON [pytest arguments...]
set -uo pipefail
py="$1"
shift
# Real-worker tests and the scale-data build go beside the browser tests to even the halves out.
waiting=(tests/browser tests/operations/tasks tests/test_celery_beat_startup.py tests/dashboard/test_rollup_worker.py
    tests/billing/test_mailing_worker.py tests/photos/test_races_and_worker.py tests/projects/status/test_status_worker.py
    tests/dashboard/test_load_scale.py)
ignore=()
for path in "${waiting[@]}"; do ignore+=("--ignore=$path"); done

mkdir -p var
log=var/test-waiting.log
(
    export TEST_DB_SUFFIX=waiting MEDIA_ROOT="$PWD/var/media-test-waiting"
    if [ -n "${REDIS_URL:-}" ]; then
        REDIS_URL=$(printf '%s' "$REDIS_URL" | sed -E 's#(/[0-9]+)?$#/15#')
        export REDIS_URL CACHE_URL="$REDIS_URL"
    fi
    exec "$py" -m pytest --create-db "${waiting[@]}" "$@"
) >"$log" 2>&1 &
waiting_pid=$!

"$py" -m pytest --create-db "${ignore[@]}" "$@"
main=$?
wait "$waiting_pid"
other=$?
echo
echo "=== browser, worker and beat tests (run beside the rest; log: $log) ==="
cat "$log"
# 5 is pytest's "no tests selected": a -k that matches only one half is not a failure.
[ "$main" -eq 5 ] && main=0
[ "$other" -eq 5 ] && other=0
[ "$main" -eq 0 ] && [ "$other" -eq 0 ]
