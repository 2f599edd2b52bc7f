#!/bin/sh
# One member of the Redis Sentinel set (docker-compose.yml, profile "ha"; docs/reliability.md):
#
#   redis-ha.sh node NAME [redis-server options...]   a Redis server; NAME is how the others reach it
#   redis-ha.sh sentinel NAME [redis-server options...]  a sentinel
#
# A Redis server never starts as an empty master over data that lives on: it starts as a replica
# of the master that a majority of the sentinels name. It starts as a master only when the
# sentinels name it and nobody replicates it (the set's first start), or when no majority
# answers at all (first start: the first master is FIRST_MASTER). Named master but replicated
# (it restarted before the sentinels noticed it was gone), it waits, not listening, until they
# fail over to its replica, and then follows it; after FAILOVER_TIMEOUT_MS with no failover
# (the replica is gone too: nothing left to lose) it starts as the master.
#
# Sentinels: down-after 5 s and failover-timeout 60 s (see docs/reliability.md for why).
set -eu

SERVICE=${REDIS_HA_SERVICE:-mymaster}
SENTINELS=${REDIS_HA_SENTINELS:-"sentinel-1:26379 sentinel-2:26379 sentinel-3:26379"}
PORT=${REDIS_HA_PORT:-6379}
FIRST_MASTER=${REDIS_HA_FIRST_MASTER:-redis-a}
FIRST_MASTER_PORT=${REDIS_HA_FIRST_MASTER_PORT:-$PORT}
SENTINEL_PORT=${REDIS_HA_SENTINEL_PORT:-26379}
QUORUM=${REDIS_HA_QUORUM:-2}
DOWN_AFTER_MS=${REDIS_HA_DOWN_AFTER_MS:-5000}
FAILOVER_TIMEOUT_MS=${REDIS_HA_FAILOVER_TIMEOUT_MS:-60000}
DIR=${REDIS_HA_DIR:-/data}
REDIS_SERVER=${REDIS_SERVER:-redis-server}
REDIS_CLI=${REDIS_CLI:-redis-cli}

log() { echo "redis-ha: $*" >&2; }

# "host port" of the master that at least QUORUM sentinels name; nothing if no majority answers.
agreed_master() {
    for s in $SENTINELS; do
        $REDIS_CLI -h "${s%:*}" -p "${s##*:}" --raw sentinel get-master-addr-by-name "$SERVICE" \
            2>/dev/null | paste -sd' ' - || true
    done | grep -E '^[^ ]+ [0-9]+$' | sort | uniq -c | sort -rn | head -n 1 |
        awk -v q="$QUORUM" '$1 >= q { print $2, $3 }'
}

# How many replicas the sentinels know of the master (the first sentinel that answers).
known_replicas() {
    for s in $SENTINELS; do
        n=$($REDIS_CLI -h "${s%:*}" -p "${s##*:}" --raw sentinel master "$SERVICE" 2>/dev/null |
            awk 'prev == "num-slaves" { print; exit } { prev = $0 }') || true
        if [ -n "$n" ]; then echo "$n"; return; fi
    done
    echo 0
}

node() {
    name=$1
    shift
    set -- --port "$PORT" --replica-announce-ip "$name" --save "" --appendonly no "$@"
    master=$(agreed_master)
    if [ -z "$master" ]; then
        if [ "$name $PORT" = "$FIRST_MASTER $FIRST_MASTER_PORT" ]; then
            log "no sentinel majority answers: first start, $name is the master"
            exec $REDIS_SERVER "$@"
        fi
        log "no sentinel majority answers: first start, replica of $FIRST_MASTER"
        exec $REDIS_SERVER "$@" --replicaof "$FIRST_MASTER" "$FIRST_MASTER_PORT"
    fi
    if [ "$master" = "$name $PORT" ]; then
        if [ "$(known_replicas)" = 0 ]; then
            log "the sentinels name $name and nobody replicates it: the master"
            exec $REDIS_SERVER "$@"
        fi
        master=$(wait_for_failover "$name") || {
            log "no failover in ${FAILOVER_TIMEOUT_MS} ms: nothing left to lose, the master"
            exec $REDIS_SERVER "$@"
        }
    fi
    log "replica of $master, as the sentinels say"
    # shellcheck disable=SC2086 # "host port": two words
    exec $REDIS_SERVER "$@" --replicaof $master
}

# Restarted while still named master, with a replica holding the data: wait until the
# sentinels promote it; print the new master.
wait_for_failover() {
    log "restarted while named master: waiting for the sentinels to fail over to the replica"
    waited=0
    while [ "$waited" -lt "$FAILOVER_TIMEOUT_MS" ]; do
        sleep 1
        waited=$((waited + 1000))
        master=$(agreed_master)
        if [ -n "$master" ] && [ "$master" != "$1 $PORT" ]; then
            echo "$master"
            return 0
        fi
    done
    return 1
}

sentinel() {
    name=$1
    shift
    conf="$DIR/sentinel.conf"
    # Kept across restarts: a sentinel rewrites it with what it learnt (the current master).
    if [ ! -s "$conf" ]; then
        cat >"$conf" <<EOF
port $SENTINEL_PORT
dir $DIR
sentinel resolve-hostnames yes
sentinel announce-hostnames yes
sentinel announce-ip $name
sentinel monitor $SERVICE $FIRST_MASTER $FIRST_MASTER_PORT $QUORUM
sentinel down-after-milliseconds $SERVICE $DOWN_AFTER_MS
sentinel failover-timeout $SERVICE $FAILOVER_TIMEOUT_MS
sentinel parallel-syncs $SERVICE 1
EOF
    fi
    exec $REDIS_SERVER "$conf" --sentinel "$@"
}

case "${1:-}" in
node) shift; node "$@" ;;
sentinel) shift; sentinel "$@" ;;
*) echo "usage: $0 node NAME [redis-server options...] | sentinel NAME" >&2; exit 2 ;;
esac
