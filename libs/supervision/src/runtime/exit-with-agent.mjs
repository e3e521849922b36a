// Preloaded (NODE_OPTIONS=--import) into every Node instance a host agent starts. An agent killed with SIGKILL gets no
// chance to stop its instances, and an instance nobody supervises is a hazard: it holds its fixed port, so the
// agent's replacement could not start it again. Once the parent process is gone (this process was re-parented) it
// stops itself the way SIGTERM stops it, and is killed outright if that takes longer than the grace.
const PARENT_CHECK_INTERVAL_MS = 500;
const SELF_STOP_GRACE_MS = 10_000;

const parent = process.ppid;
const watch = setInterval(() => {
  if (process.ppid === parent) return;
  clearInterval(watch);
  setTimeout(() => process.kill(process.pid, 'SIGKILL'), SELF_STOP_GRACE_MS).unref();
  process.kill(process.pid, 'SIGTERM');
}, PARENT_CHECK_INTERVAL_MS);
watch.unref();
