#pragma once

namespace watchdog {

/// The check process's side (`encoder-watchdog __check-runner ID`, started by IsolatedCheck): reads
/// its setup from the socket on fd 3, loads and configures its own instance of the plugin, then
/// answers one run after another until the socket closes. Returns the process's exit status.
int runCheckRunner();

}  // namespace watchdog
