package emulator

import "syscall"

// sysProcAttr puts the server in its own process group (so Stop can end it
// and any children together) and kills it if the process that started it
// dies without calling Stop.
func sysProcAttr() *syscall.SysProcAttr {
	return &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGKILL}
}
