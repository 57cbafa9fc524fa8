// Who `-- COMMAND` runs as: under sudo (root with SUDO_UID of another user) that user, with the
// groups of their account (initgroups, through setpriv) and HOME, USER and LOGNAME from it;
// otherwise as flametui itself. Also the open-files limit the invoking shell had.

import { readFileSync } from "node:fs";
import { FlametuiError } from "../errors.ts";

export interface CommandUser {
  uid: number;
  gid: number;
  name: string;
  home: string;
  /** "init": the account's supplementary groups (initgroups). */
  groups: "init";
}

interface PasswdEntry {
  name: string;
  uid: number;
  gid: number;
  home: string;
}

const GETENT_PATHS = ["/usr/bin/getent", "/bin/getent"];

/**
 * The sudo user, or null to run the command as this process (not root, no SUDO_UID, or
 * SUDO_UID 0). `sudo env -u SUDO_UID flametui …` runs it as root.
 */
export function commandUser(env: NodeJS.ProcessEnv, log: (line: string) => void): CommandUser | null {
  if (process.geteuid?.() !== 0) return null;
  const sudoUid = env.SUDO_UID;
  if (sudoUid === undefined || !/^\d+$/.test(sudoUid) || Number(sudoUid) === 0) return null;
  const uid = Number(sudoUid);
  const pw = passwdEntry(uid, log);
  if (pw === null) {
    throw new FlametuiError(`cannot run the command as the sudo user: uid ${uid} (SUDO_UID) has no account entry`, "to run it as root: sudo env -u SUDO_UID flametui …");
  }
  const sudoGid = env.SUDO_GID;
  const gid = sudoGid !== undefined && /^\d+$/.test(sudoGid) ? Number(sudoGid) : pw.gid;
  return { uid, gid, name: pw.name, home: pw.home, groups: "init" };
}

/** The account of uid, through NSS (getent) when it can, else /etc/passwd. */
function passwdEntry(uid: number, log: (line: string) => void): PasswdEntry | null {
  for (const getent of GETENT_PATHS) {
    try {
      const r = Bun.spawnSync([getent, "passwd", String(uid)], { stdout: "pipe", stderr: "ignore", stdin: "ignore" });
      if (r.exitCode === 0) return parsePasswdLine(r.stdout.toString().split("\n")[0] ?? "", uid);
      if (r.exitCode === 2) return null; // getent: key not found
    } catch {
      // not there: try the next, then the file
    }
  }
  log(`command: getent unavailable; reading /etc/passwd for uid ${uid}`);
  try {
    for (const line of readFileSync("/etc/passwd", "utf8").split("\n")) {
      const e = parsePasswdLine(line, uid);
      if (e) return e;
    }
  } catch {
    // no file either
  }
  return null;
}

/** `name:x:uid:gid:gecos:home:shell`, if it is uid's line. */
export function parsePasswdLine(line: string, uid: number): PasswdEntry | null {
  const f = line.split(":");
  if (f.length < 7 || f[2] !== String(uid) || !/^\d+$/.test(f[3]!)) return null;
  return { name: f[0]!, uid, gid: Number(f[3]), home: f[5] || "/" };
}

/**
 * Bun raises its own soft limit of open files to the hard limit, and children inherit that.
 * The command should get what the user's shell had: the soft limit of the nearest ancestor that
 * is not sudo (sudo raises its own limits and restores them only for the program it runs). null
 * when it cannot be read or is not lower than ours.
 */
export function parentOpenFilesLimit(): number | null {
  const ours = openFilesSoftLimit("self");
  let pid = process.ppid;
  for (let hop = 0; hop < 4 && pid > 1; hop++) {
    const comm = readProc(pid, "comm")?.trim();
    if (comm === undefined) return null;
    if (comm !== "sudo") {
      const limit = openFilesSoftLimit(String(pid));
      return limit !== null && ours !== null && limit < ours ? limit : null;
    }
    pid = parentOf(pid) ?? 0;
  }
  return null;
}

function readProc(pid: number | string, file: string): string | undefined {
  try {
    return readFileSync(`/proc/${pid}/${file}`, "utf8");
  } catch {
    return undefined;
  }
}

function parentOf(pid: number): number | null {
  const stat = readProc(pid, "stat");
  if (!stat) return null;
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  const ppid = Number(fields[1]);
  return Number.isInteger(ppid) ? ppid : null;
}

function openFilesSoftLimit(pid: string): number | null {
  const m = /^Max open files\s+(\d+)/m.exec(readProc(pid, "limits") ?? "");
  return m ? Number(m[1]) : null;
}
