# shellcheck shell=bash
# A simulated station on loopback, sourced by scripts/demo.sh and the Monit comparison benchmark:
# icecast2 on a free port and an ffmpeg "encoder" streaming a tone to /live and writing HLS segments.
#   station_init DIR      picks ports and passwords, writes icecast.xml into DIR
#   station_start         starts icecast2 and the encoder
#   station_start_encoder tone|silent-between FROM TO / station_kill_encoder
#   station_stop          stops everything station_* started
#   station_seed_checks   prints the seed's four checks on this station, YAML lines for "checks:"
# Sets STATION_DIR, ICECAST_PORT, SOURCE_PW, ADMIN_PW, ENCODER_PID (also in $STATION_DIR/encoder.pid).

STATION_PIDS=()

station_free_port() {
  local p
  for p in $(seq "$1" $(($1 + 500))); do
    (exec 3<>/dev/tcp/127.0.0.1/"$p") 2>/dev/null || { echo "$p"; return; }
  done
  echo "no free port from $1" >&2
  return 1
}

station_wait() {  # station_wait SECONDS DESCRIPTION COMMAND...
  local seconds=$1 what=$2
  shift 2
  local deadline=$((SECONDS + seconds))
  until "$@" >/dev/null 2>&1; do
    if ((SECONDS > deadline)); then
      echo "timed out after ${seconds}s waiting for $what" >&2
      return 1
    fi
    sleep 0.2
  done
}

station_init() {
  STATION_DIR=$1
  mkdir -p "$STATION_DIR/hls" "$STATION_DIR/icecast-log"
  chmod 755 "$STATION_DIR"
  chown nobody:nogroup "$STATION_DIR/icecast-log" 2>/dev/null || true
  ICECAST_PORT=$(station_free_port 18000)
  SOURCE_PW=source-$RANDOM$RANDOM
  ADMIN_PW=admin-$RANDOM$RANDOM
  local owner=""
  [[ $(id -u) -eq 0 ]] && owner='<changeowner><user>nobody</user><group>nogroup</group></changeowner>'
  cat >"$STATION_DIR/icecast.xml" <<XML
<icecast>
  <location>simulated station</location><admin>station@localhost</admin>
  <limits><clients>20</clients><sources>4</sources><source-timeout>5</source-timeout></limits>
  <authentication><source-password>$SOURCE_PW</source-password><admin-user>admin</admin-user><admin-password>$ADMIN_PW</admin-password></authentication>
  <hostname>127.0.0.1</hostname>
  <listen-socket><port>$ICECAST_PORT</port><bind-address>127.0.0.1</bind-address></listen-socket>
  <paths><basedir>$STATION_DIR</basedir><logdir>$STATION_DIR/icecast-log</logdir><webroot>/usr/share/icecast2/web</webroot><adminroot>/usr/share/icecast2/admin</adminroot></paths>
  <logging><errorlog>error.log</errorlog><accesslog>access.log</accesslog><loglevel>2</loglevel></logging>
  <security><chroot>0</chroot>$owner</security>
</icecast>
XML
}

# station_start_encoder tone | station_start_encoder silent-between FROM TO: the tone, muted from FROM
# to TO seconds of stream time (dead air on a running encoder: a muted fader, a stuck input).
station_start_encoder() {
  local filter=anull
  [[ "${1:-}" == "silent-between" ]] && filter="volume=enable='between(t,$2,$3)':volume=0"
  # -af is an output option: both outputs (Icecast and HLS) carry the same programme.
  ffmpeg -nostdin -hide_banner -loglevel error -re -f lavfi -i "sine=frequency=440:sample_rate=44100" \
    -af "$filter" -c:a libmp3lame -b:a 64k -content_type audio/mpeg -f mp3 "icecast://source:$SOURCE_PW@127.0.0.1:$ICECAST_PORT/live" \
    -af "$filter" -c:a aac -b:a 64k -f hls -hls_time 1 -hls_list_size 5 -hls_flags delete_segments \
    -hls_segment_filename "$STATION_DIR/hls/seg%05d.ts" "$STATION_DIR/hls/live.m3u8" >>"$STATION_DIR/ffmpeg.out" 2>&1 &
  ENCODER_PID=$!
  echo "$ENCODER_PID" >"$STATION_DIR/encoder.pid"
  STATION_PIDS+=("$ENCODER_PID")
}

station_kill_encoder() {
  kill -KILL "$ENCODER_PID" 2>/dev/null || true
  wait "$ENCODER_PID" 2>/dev/null || true
}

station_start() {  # station_start [ENCODER ARGUMENTS]: see station_start_encoder
  icecast2 -c "$STATION_DIR/icecast.xml" >"$STATION_DIR/icecast.out" 2>&1 &
  STATION_PIDS+=($!)
  station_wait 10 "icecast2 on port $ICECAST_PORT" bash -c "exec 3<>/dev/tcp/127.0.0.1/$ICECAST_PORT"
  station_start_encoder "$@"
  station_wait 15 "the first HLS segments" test -s "$STATION_DIR/hls/live.m3u8"
}

station_stop() {
  local pid
  for pid in "${STATION_PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done
  for pid in "${STATION_PIDS[@]}"; do wait "$pid" 2>/dev/null || true; done
  STATION_PIDS=()
}

station_seed_checks() {
  cat <<YAML
  icecast: { plugin: icecast, url: "http://127.0.0.1:$ICECAST_PORT", user: admin, password: "$ADMIN_PW", mount: /live }
  encoder_cpu: { plugin: process_cpu, pidfile: $STATION_DIR/encoder.pid, min_percent: 0.1 }
  playlist_age: { plugin: hls_age, directory: $STATION_DIR/hls, pattern: "*.m3u8", max_age: 4s }
  ts_count: { plugin: hls_count, directory: $STATION_DIR/hls, max_files: 20, exclude: [live.m3u8] }
YAML
}
