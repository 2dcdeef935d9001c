//! CPU time of a process from /proc (Linux): `utime + stime` of
//! `/proc/<pid>/stat`, and the process that holds a UDP port.

use std::time::Instant;

/// Clock ticks per second of /proc times (USER_HZ, 100 on every Linux
/// architecture's userspace ABI).
const TICKS_PER_SEC: f64 = 100.0;

/// `utime + stime` in ticks from the text of `/proc/<pid>/stat`.
pub fn parse_stat(stat: &str) -> Option<u64> {
    // The command name (field 2) is in parentheses and may hold spaces;
    // the fields after the last ')' start with field 3 (state).
    let rest = &stat[stat.rfind(')')? + 1..];
    let mut f = rest.split_whitespace().skip(11); // fields 14 (utime), 15 (stime)
    let utime: u64 = f.next()?.parse().ok()?;
    let stime: u64 = f.next()?.parse().ok()?;
    Some(utime + stime)
}

/// One reading of a process's CPU time.
#[derive(Debug, Clone, Copy)]
pub struct CpuSample {
    ticks: u64,
    at: Instant,
}

/// Reads the CPU time of `pid` (`None`: no such process, or not Linux).
pub fn sample(pid: u32) -> Option<CpuSample> {
    let text = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    Some(CpuSample {
        ticks: parse_stat(&text)?,
        at: Instant::now(),
    })
}

/// CPU used between two readings: (CPU seconds, percent of one core).
pub fn used(before: CpuSample, after: CpuSample) -> (f64, f64) {
    let secs = after.ticks.saturating_sub(before.ticks) as f64 / TICKS_PER_SEC;
    let wall = after.at.duration_since(before.at).as_secs_f64();
    (secs, if wall > 0.0 { 100.0 * secs / wall } else { 0.0 })
}

/// The socket inode bound to local UDP `port`, from the text of
/// `/proc/net/udp` or `/proc/net/udp6`.
pub fn inode_of_udp_port(table: &str, port: u16) -> Option<u64> {
    table.lines().skip(1).find_map(|line| {
        let f: Vec<&str> = line.split_whitespace().collect();
        let local = f.get(1)?;
        let p = u16::from_str_radix(local.rsplit(':').next()?, 16).ok()?;
        (p == port).then(|| f.get(9)?.parse().ok()).flatten()
    })
}

/// The process holding local UDP `port` (the first found), by looking for
/// its socket among every process's open files.
pub fn pid_of_udp_port(port: u16) -> Option<u32> {
    let inode = ["/proc/net/udp", "/proc/net/udp6"]
        .iter()
        .filter_map(|p| std::fs::read_to_string(p).ok())
        .find_map(|t| inode_of_udp_port(&t, port))?;
    let wanted = format!("socket:[{inode}]");
    for entry in std::fs::read_dir("/proc").ok()?.flatten() {
        let Some(pid) = entry
            .file_name()
            .to_str()
            .and_then(|n| n.parse::<u32>().ok())
        else {
            continue;
        };
        let Ok(fds) = std::fs::read_dir(entry.path().join("fd")) else {
            continue;
        };
        for fd in fds.flatten() {
            if std::fs::read_link(fd.path()).is_ok_and(|l| l.as_os_str() == wanted.as_str()) {
                return Some(pid);
            }
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stat_fields_after_a_name_with_spaces() {
        let stat =
            "4242 (hot line) S 1 4242 4242 0 -1 4194560 1234 0 0 0 150 25 0 0 20 0 9 0 100 0 0";
        assert_eq!(parse_stat(stat), Some(175));
        assert_eq!(parse_stat("garbage"), None);
        let me = sample(std::process::id()).expect("our own /proc entry");
        let (secs, pct) = used(me, me);
        assert_eq!((secs, pct), (0.0, 0.0));
    }

    #[test]
    fn udp_table_lookup() {
        let table = "  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode ref pointer drops\n\
                     1090: 0100007F:13C4 00000000:0000 07 00000000:00000000 00:00000000 00000000     0        0 998877 2 0000000000000000 0\n\
                     1091: 0100007F:9C40 00000000:0000 07 00000000:00000000 00:00000000 00000000     0        0 112233 2 0000000000000000 0\n";
        assert_eq!(inode_of_udp_port(table, 5060), Some(998877));
        assert_eq!(inode_of_udp_port(table, 40000), Some(112233));
        assert_eq!(inode_of_udp_port(table, 5061), None);
    }
}
