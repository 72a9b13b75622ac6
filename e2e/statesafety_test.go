package e2e

import (
	"bufio"
	"context"
	"encoding/json"
	"io"
	"os"
	"os/exec"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/hashicorp/terraform-exec/tfexec"

	"selfhost/config"
	"selfhost/emulator"
	"selfhost/ops/deploy"
	"selfhost/ops/localenv"
)

// State safety of the S3 backend (use_lockfile) under concurrency and
// interruption, on the network stack:
//
//  1. two applies of <env>-network from two synth folders on the same
//     state key: while the first holds the lock, the second fails with
//     Terraform's "Error acquiring the state lock"; run again with
//     -lock-timeout it waits for the first and then applies its own change;
//  2. the state object is intact (parses, same lineage, resources, no lock
//     left behind) and a re-plan of the last configuration is clean;
//  3. an apply interrupted with SIGINT while it creates resources leaves a
//     state (same lineage, no lock) that a plain second apply completes,
//     then a clean re-plan.
//
// First, the account guard: a plan with only another account allowed is
// refused. Terraform runs: that plan, state apply, 2 network applies from
// empty (one fails at once), one waiting apply, a re-plan, the interrupted
// apply, its completion and a last re-plan.
func TestStateSafety(t *testing.T) {
	t.Parallel() // on its own emulator; synths take turns (synth.Run)
	s, ctx := start(t)
	state, network := s.Cfg.StackName("state"), s.Cfg.StackName("network")
	key := s.Cfg.StateKey(network)
	bucket := s.Cfg.State.Bucket
	cli := s3.NewFromConfig(s.AWS(), func(o *s3.Options) { o.UsePathStyle = true })

	first, err := s.Synth(nil)
	if err != nil {
		t.Fatal(err)
	}
	// The second synth differs, so it has work of its own after the first.
	second, err := s.Synth(func(c *config.Config) { c.Network.FlowLogRetentionDays = 14 })
	if err != nil {
		t.Fatal(err)
	}
	// What keeps a session's stacks off a real account when run by hand
	// with real credentials (localenv pins aws.allowed_account_ids to the
	// emulator's): the provider refuses an account not in the list while it
	// configures, with this provider block (skip_checks set), before a plan.
	t.Run("OtherAccountRefused", func(t *testing.T) {
		other, err := s.Synth(func(c *config.Config) { c.AWS.AllowedAccountIDs = []string{"111111111111"} })
		if err != nil {
			t.Fatal(err)
		}
		_, err = other.Plan(ctx, state, "")
		if want := "AWS account ID not allowed: " + emulator.AccountID; err == nil || !strings.Contains(err.Error(), want) {
			t.Fatalf("plan with only another account allowed: %v; want %q", err, want)
		}
	})
	if err := first.Apply(ctx, state); err != nil {
		t.Fatal(err)
	}
	r1, err := first.Runner(ctx, network)
	if err != nil {
		t.Fatal(err)
	}
	r2, err := second.Runner(ctx, network)
	if err != nil {
		t.Fatal(err)
	}

	t.Run("ConcurrentApplies", func(t *testing.T) {
		began := time.Now()
		done := make(chan error, 1)
		go func() { done <- r1.Apply(ctx) }()
		if !waitObject(ctx, t, cli, bucket, key+".tflock", true, 2*time.Minute, done) {
			t.Fatal("the first apply never took the lock")
		}

		err := r2.Apply(ctx)
		if err == nil || !strings.Contains(err.Error(), "Error acquiring the state lock") {
			t.Fatalf("second apply while the first holds the lock: %v, want Terraform's \"Error acquiring the state lock\"", err)
		}
		select {
		case err := <-done:
			t.Fatalf("the first apply ended (%v) before the second was refused; the lock was not contended", err)
		default:
		}

		// With -lock-timeout the second waits for the lock, then applies.
		waitStart := time.Now()
		waitErr := make(chan error, 1)
		go func() { waitErr <- r2.Apply(ctx, tfexec.LockTimeout("10m")) }()
		firstErr := <-done
		firstEnd := time.Now()
		if firstErr != nil {
			t.Fatalf("first apply: %v", firstErr)
		}
		if err := <-waitErr; err != nil {
			t.Fatalf("second apply with -lock-timeout: %v", err)
		}
		t.Logf("first apply %s; the second waited %s for it and applied in %s",
			firstEnd.Sub(began).Round(time.Second), firstEnd.Sub(waitStart).Round(time.Second), time.Since(firstEnd).Round(time.Second))
	})
	if t.Failed() {
		return
	}

	before := readState(ctx, t, cli, bucket, key)
	t.Run("StateIntact", func(t *testing.T) {
		if before.Lineage == "" || before.Serial < 2 || before.objects() < 20 {
			t.Errorf("state after the concurrent applies: lineage %q serial %d, %d objects", before.Lineage, before.Serial, before.objects())
		}
		if exists(ctx, t, cli, bucket, key+".tflock") {
			t.Error("a lock file is left in the bucket")
		}
		if changed, err := second.Drift(ctx, network); err != nil || len(changed) > 0 {
			t.Errorf("re-plan of the last applied configuration: changes in %v (err %v)", changed, err)
		}
	})

	t.Run("InterruptedApply", func(t *testing.T) {
		// Four more interface endpoints: independent creations, one at a
		// time (-parallelism=1); each takes at least 5 s (the provider waits
		// that long before its first check that the endpoint is available),
		// so the interrupt at the first leaves the others undone even when
		// a loaded machine delivers it a few seconds late. Terraform then
		// halts every creation not yet begun ("execution halted") and
		// cancels the one in flight. (Not a new AZ: the emulator cannot
		// update aws_db_subnet_group in place.)
		extra := []string{"ssm", "ssmmessages", "ec2messages", "kms"}
		grown, err := s.Synth(func(c *config.Config) {
			c.Network.FlowLogRetentionDays = 14
			c.Network.InterfaceEndpoints = append(append([]string{}, c.Network.InterfaceEndpoints...), extra...)
		})
		if err != nil {
			t.Fatal(err)
		}
		r, err := grown.Runner(ctx, network) // init
		if err != nil {
			t.Fatal(err)
		}
		out, err := interruptApply(ctx, s, grown, network, r.CLIConfigFile)
		if err == nil {
			t.Fatalf("the interrupted apply exited 0; output:\n%s", tail(out, 30))
		}
		if !strings.Contains(out, "Interrupt received") {
			t.Fatalf("terraform did not see the interrupt (%v); output:\n%s", err, tail(out, 30))
		}
		mid := readState(ctx, t, cli, bucket, key)
		if mid.Lineage != before.Lineage || mid.Serial < before.Serial {
			t.Errorf("state after the interrupt: lineage %q serial %d, was %q serial %d", mid.Lineage, mid.Serial, before.Lineage, before.Serial)
		}
		if exists(ctx, t, cli, bucket, key+".tflock") {
			t.Error("the interrupted apply left its lock in the bucket")
		}
		t.Logf("interrupted apply: %v; state serial %d -> %d, %d -> %d objects", err, before.Serial, mid.Serial, before.objects(), mid.objects())

		// No manual repair: a plain apply completes, then nothing is left to do.
		if mid.objects() >= before.objects()+len(extra) {
			t.Errorf("the interrupted apply created everything (%d -> %d objects); nothing was left to complete", before.objects(), mid.objects())
		}
		if err := grown.Apply(ctx, network); err != nil {
			t.Fatalf("apply after the interrupt: %v", err)
		}
		if changed, err := grown.Drift(ctx, network); err != nil || len(changed) > 0 {
			t.Errorf("re-plan after completing: changes in %v (err %v)", changed, err)
		}
		after := readState(ctx, t, cli, bucket, key)
		if after.Lineage != before.Lineage || after.objects() != before.objects()+len(extra) {
			t.Errorf("final state: lineage %q, %d objects, want %d + %d endpoints", after.Lineage, after.objects(), before.objects(), len(extra))
		}
	})
}

// interruptApply runs terraform apply itself (so it can signal it) with the
// environment tfrun gives Terraform, sends SIGINT once a resource is being
// created, and returns the output and the exit error. -parallelism=1 keeps
// one creation in flight, so the interrupt leaves work undone.
func interruptApply(ctx context.Context, s *localenv.Session, e *deploy.Env, stack, cliConfig string) (string, error) {
	cmd := exec.CommandContext(ctx, "terraform", "apply", "-auto-approve", "-input=false", "-no-color", "-parallelism=1")
	cmd.Dir = e.Dir(stack)
	cmd.Env = emulator.MergeEnv(os.Environ(), s.Srv.Env(s.Cfg.Region))
	cmd.Env = append(cmd.Env, "TF_CLI_CONFIG_FILE="+cliConfig, "CHECKPOINT_DISABLE=1", "TF_IN_AUTOMATION=1")
	pr, pw := io.Pipe()
	cmd.Stdout, cmd.Stderr = pw, pw
	if err := cmd.Start(); err != nil {
		return "", err
	}
	var (
		mu  sync.Mutex
		buf strings.Builder
	)
	scanned := make(chan struct{})
	go func() {
		defer close(scanned)
		sent := false
		sc := bufio.NewScanner(pr)
		for sc.Scan() {
			line := sc.Text()
			mu.Lock()
			buf.WriteString(line + "\n")
			mu.Unlock()
			if !sent && strings.Contains(line, ": Creating...") {
				sent = true
				cmd.Process.Signal(syscall.SIGINT)
			}
		}
	}()
	err := cmd.Wait()
	pw.Close()
	<-scanned
	mu.Lock()
	defer mu.Unlock()
	return buf.String(), err
}

type tfState struct {
	Serial    int    `json:"serial"`
	Lineage   string `json:"lineage"`
	Resources []struct {
		Mode      string            `json:"mode"`
		Instances []json.RawMessage `json:"instances"`
	} `json:"resources"`
}

// objects counts the managed resource instances in the state: what exists.
// Not len(Resources): an apply records every resource it plans to create
// before creating it, so a halted creation leaves a resource with no
// instances (that count made the interrupted-apply check fail whenever
// Terraform listed all of them before it stopped).
func (s tfState) objects() int {
	n := 0
	for _, r := range s.Resources {
		if r.Mode == "managed" {
			n += len(r.Instances)
		}
	}
	return n
}

func readState(ctx context.Context, t *testing.T, cli *s3.Client, bucket, key string) tfState {
	t.Helper()
	obj, err := cli.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String(bucket), Key: aws.String(key)})
	if err != nil {
		t.Fatalf("reading the state %s: %v", key, err)
	}
	defer obj.Body.Close()
	var st tfState
	if err := json.NewDecoder(obj.Body).Decode(&st); err != nil {
		t.Fatalf("the state %s does not parse: %v", key, err)
	}
	return st
}

func exists(ctx context.Context, t *testing.T, cli *s3.Client, bucket, key string) bool {
	t.Helper()
	_, err := cli.HeadObject(ctx, &s3.HeadObjectInput{Bucket: aws.String(bucket), Key: aws.String(key)})
	return err == nil
}

// waitObject polls until the object exists (or not), giving up when done
// delivers (the apply ended) or after timeout.
func waitObject(ctx context.Context, t *testing.T, cli *s3.Client, bucket, key string, want bool, timeout time.Duration, done chan error) bool {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for time.Now().Before(deadline) {
		if exists(ctx, t, cli, bucket, key) == want {
			return true
		}
		select {
		case err := <-done:
			done <- err // leave it for the caller
			return false
		case <-time.After(100 * time.Millisecond):
		}
	}
	return false
}

func tail(s string, n int) string {
	lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, "\n")
}
