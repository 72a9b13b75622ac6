package config

import (
	"reflect"
	"testing"
)

// head is valid without services: the cases give their own.
const head = `name: prod
region: us-east-1
dns: {domain: example.com}
state: {bucket: my-state-bucket}
`

const dg = `image: {digest: "sha256:` + "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa" + `"}`

// Each broken services: section gives exactly these problems (in order),
// each naming its field path and what is allowed.
func TestBadServices(t *testing.T) {
	for _, tc := range []struct {
		name, services string
		want           []string
	}{
		{"the old service: key", "service:\n  " + dg + "\n", []string{
			"f/prod.yaml: service: " + MovedSingleServiceHint, // a shape problem: reported before validation
		}},
		{"no service with hosts", "services:\n  worker: {" + dg + "}\n", []string{
			"f/prod.yaml: services: no service has hosts; want at least one serving a name under dns.domain (the load balancer, its certificate and the DNS records serve the hosts), e.g. hosts: [api]",
		}},
		{"a worker with target group keys", "services:\n  api: {hosts: [api], priority: 1, " + dg + "}\n  worker:\n    " + dg + "\n    priority: 2\n    health_check: {path: /x}\n    stickiness: {enabled: true}\n    slow_start_seconds: 60\n    deregistration_delay_seconds: 60\n    autoscaling: {requests_per_target: 100}\n", []string{
			"f/prod.yaml: services.worker.priority: is set but the service has no hosts (a worker has no listener rule); remove it, or give hosts",
			"f/prod.yaml: services.worker.health_check: is set but the service has no hosts: a worker has no target group; remove it, or give hosts",
			"f/prod.yaml: services.worker.stickiness: is set but the service has no hosts: a worker has no target group; remove it, or give hosts",
			"f/prod.yaml: services.worker.slow_start_seconds: is set but the service has no hosts: a worker has no target group; remove it, or give hosts",
			"f/prod.yaml: services.worker.deregistration_delay_seconds: is set but the service has no hosts: a worker has no target group; remove it, or give hosts",
			"f/prod.yaml: services.worker.autoscaling.requests_per_target: is set but the service has no hosts: a worker has no target group; remove it, or give hosts",
		}},
		{"hosts and priorities clash", "services:\n  api: {hosts: [api, api.example.com], priority: 100, " + dg + "}\n  console: {hosts: [app, API], priority: 100, " + dg + "}\n  web: {hosts: [app.example.com], " + dg + "}\n", []string{
			`f/prod.yaml: services.api.hosts[1]: "api.example.com" is also served by services.api; each hostname belongs to one service`,
			`f/prod.yaml: services.console.hosts[1]: "API" is not a name under example.com; want DNS labels of a-z, 0-9 and '-' such as api or eu.app (or the full name api.example.com), no wildcard`,
			"f/prod.yaml: services.console.priority: 100 is also the priority of services.api; each listener rule has its own",
			`f/prod.yaml: services.web.hosts[0]: "app.example.com" is also served by services.console; each hostname belongs to one service`,
			"f/prod.yaml: services.web.priority: is required with hosts; want a unique 1 to 50000 (given, never derived from the order: adding or removing a service changes no other service's rule)",
		}},
		{"names, ranges and limits", "services:\n  Api: {hosts: [api], priority: 1, " + dg + "}\n  b: {hosts: [example.com, a, b, c, d, e], priority: 50001, adopt_single_service: true, " + dg + "}\n  c: {hosts: [x], priority: 3, adopt_single_service: true, autoscaling: {memory_target: 95}, " + dg + "}\n", []string{
			`f/prod.yaml: services.Api: "Api" is not a service name; want 1-16 of a-z, 0-9 and single '-', starting with a letter and not ending with '-' (a DNS label, e.g. api)`,
			`f/prod.yaml: services.Api.image.repository: "selfhost-prod-Api" is not allowed; ECR repository names are 2-256 characters: segments of a-z and 0-9 joined by '.', '_' or '-', separated by '/'`,
			"f/prod.yaml: services.b.hosts: has 6 hosts; a listener rule matches at most 5 host-header values: give at most 5",
			`f/prod.yaml: services.b.hosts[0]: "example.com" is the domain itself; want a name under it, e.g. api (the certificate covers the domain already)`,
			"f/prod.yaml: services.b.priority: 50001 is out of range; want a unique 1 to 50000",
			"f/prod.yaml: services.c.autoscaling.memory_target: 95% is out of range; want 0 (off) or 10 to 90",
			`f/prod.yaml: services.c.image.repository: "selfhost-prod" is also the repository of services.b; each service has its own`,
			"f/prod.yaml: services.b.adopt_single_service: is true for services.b and services.c; at most one service takes over the single service's resources",
			"f/prod.yaml: services.c.adopt_single_service: is true for services.b and services.c; at most one service takes over the single service's resources",
		}},
		{"more names than a certificate holds", "services:\n  a: {hosts: [a1, a2, a3, a4, a5], priority: 1, " + dg + "}\n  b: {hosts: [b1, b2, b3, b4, b5], priority: 2, " + dg + "}\n", []string{
			"f/prod.yaml: services: serve 10 hostnames; the created certificate covers the domain and each of them, 11 names, and ACM allows 10 per certificate (the default quota): serve fewer, or give load_balancer.certificate_arn of a certificate covering them",
		}},
		{"one repository for two services", "services:\n  a: {hosts: [a], priority: 1, image: {tag: v1, repository: shared}}\n  b: {hosts: [b], priority: 2, image: {tag: v1, repository: shared}}\n", []string{
			`f/prod.yaml: services.b.image.repository: "shared" is also the repository of services.a; each service has its own`,
			"warning", // the tags warn in production; not a problem
		}[:1]},
		// 16 is the most with the longest prefix (32, the load balancer
		// name): <prefix>-<name>-task-execution is then IAM's 64.
		{"a service name of 17", "services:\n  abcdefghijklmnopq: {hosts: [a], priority: 1, " + dg + "}\n", []string{
			`f/prod.yaml: services.abcdefghijklmnopq: "abcdefghijklmnopq" is not a service name; want 1-16 of a-z, 0-9 and single '-', starting with a letter and not ending with '-' (a DNS label, e.g. api)`,
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Parse("f/prod.yaml", []byte(head+tc.services))
			checkProblems(t, err, tc.want)
		})
	}
}

// Hosts may be labels, longer names under the domain or full names; the
// certificate's and the records' names follow the services' name order,
// not the file's, and every service gets its own resource names.
func TestServicesHostsAndNames(t *testing.T) {
	c, err := Parse("f/prod.yaml", []byte(head+`services:
  web:
    hosts: [app, eu.app.example.com]
    priority: 200
    `+dg+`
  api:
    hosts: [api]
    priority: 100
    adopt_single_service: true
    `+dg+`
  worker:
    `+dg+`
`))
	if err != nil {
		t.Fatal(err)
	}
	if got, want := c.Hosts(), []string{"api", "app", "eu.app"}; !reflect.DeepEqual(got, want) {
		t.Errorf("Hosts %v, want %v", got, want)
	}
	if got, want := c.Hostnames(), []string{"api.example.com", "app.example.com", "eu.app.example.com"}; !reflect.DeepEqual(got, want) {
		t.Errorf("Hostnames %v, want %v", got, want)
	}
	if got := c.ServiceNames(); !reflect.DeepEqual(got, []string{"api", "web", "worker"}) {
		t.Errorf("ServiceNames %v", got)
	}
	for name, want := range map[string]Resources{
		// The adopting service keeps the single service's names.
		"api":    {Base: "selfhost-prod", LogGroup: "/selfhost-prod/service", SecurityGroupPrefix: "selfhost-prod-service-", TargetGroupPrefix: "app-", Repository: "selfhost-prod"},
		"web":    {Base: "selfhost-prod-web", LogGroup: "/selfhost-prod/services/web", SecurityGroupPrefix: "selfhost-prod-web-", TargetGroupPrefix: "web-", Repository: "selfhost-prod-web"},
		"worker": {Base: "selfhost-prod-worker", LogGroup: "/selfhost-prod/services/worker", SecurityGroupPrefix: "selfhost-prod-worker-", TargetGroupPrefix: "worke-", Repository: "selfhost-prod-worker"},
	} {
		if got := c.ServiceResources(c.Services[name]); got != want {
			t.Errorf("%s: %+v, want %+v", name, got, want)
		}
		if c.Services[name].Image.Repository != want.Repository {
			t.Errorf("%s: repository %s, want %s", name, c.Services[name].Image.Repository, want.Repository)
		}
	}
	// Every default applies per service.
	w := c.Services["worker"]
	d := DefaultService()
	if w.CPU != d.CPU || w.StopTimeoutSeconds != d.StopTimeoutSeconds || w.Autoscaling.Max != MaxTasksFactor*d.DesiredCount || w.HasTargetGroup() {
		t.Errorf("worker defaults %+v", w)
	}
}
