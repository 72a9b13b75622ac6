//go:build unix && !linux

package emulator

import "syscall"

// sysProcAttr puts the server in its own process group so Stop can end it
// and any children together.
func sysProcAttr() *syscall.SysProcAttr {
	return &syscall.SysProcAttr{Setpgid: true}
}
