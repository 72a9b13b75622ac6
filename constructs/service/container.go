package service

import (
	"encoding/json"
	"maps"
	"slices"
	"sort"
)

// The container definition, rendered with encoding/json. Field order is the
// struct's, so the JSON is stable.
type (
	containerDef struct {
		Name                   string       `json:"name"`
		Image                  string       `json:"image"`
		Essential              bool         `json:"essential"`
		PortMappings           []portMap    `json:"portMappings"`
		Environment            []nameValue  `json:"environment"`
		Secrets                []nameFrom   `json:"secrets,omitempty"`
		HealthCheck            *healthCheck `json:"healthCheck,omitempty"`
		StopTimeout            int          `json:"stopTimeout"`
		LogConfiguration       logConfig    `json:"logConfiguration"`
		ReadonlyRootFilesystem bool         `json:"readonlyRootFilesystem"`
		User                   string       `json:"user,omitempty"`
	}
	portMap struct {
		ContainerPort int    `json:"containerPort"`
		HostPort      int    `json:"hostPort"`
		Protocol      string `json:"protocol"`
	}
	nameValue struct {
		Name  string `json:"name"`
		Value string `json:"value"`
	}
	nameFrom struct {
		Name      string `json:"name"`
		ValueFrom string `json:"valueFrom"`
	}
	healthCheck struct {
		Command     []string `json:"command"`
		Interval    int      `json:"interval"`
		Timeout     int      `json:"timeout"`
		Retries     int      `json:"retries"`
		StartPeriod int      `json:"startPeriod"`
	}
	logConfig struct {
		LogDriver string            `json:"logDriver"`
		Options   map[string]string `json:"options"` // encoding/json sorts map keys
	}
)

// The awslogs delivery, pinned rather than left to the account: since
// 2025-06-25 a container without "mode" gets the account setting
// defaultLogDriverMode, whose default AWS changed from blocking to
// non-blocking. selfhost chooses non-blocking (a CloudWatch Logs outage or
// throttling must not block the app's writes to stdout/stderr and so stop it
// serving requests) with a 25 MiB buffer (the driver's default is 1 MiB; a
// full buffer drops lines), which AWS's log-loss tests found to lose nothing
// at high rates; it counts against the task's memory.
// https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_LogConfiguration.html
// https://aws.amazon.com/blogs/containers/preventing-log-loss-with-non-blocking-mode-in-the-awslogs-container-log-driver/
const (
	LogDriverMode    = "non-blocking"
	LogMaxBufferSize = "25m"
)

// containerDefinitions renders the task's one container as JSON.
func containerDefinitions(p Props, logGroup string) string {
	def := containerDef{
		Name:                   p.ContainerName,
		Image:                  p.Image,
		Essential:              true,
		PortMappings:           []portMap{{ContainerPort: p.ContainerPort, HostPort: p.ContainerPort, Protocol: "tcp"}},
		Environment:            []nameValue{},
		StopTimeout:            p.StopTimeoutSeconds,
		ReadonlyRootFilesystem: true,
		User:                   p.User,
		LogConfiguration: logConfig{LogDriver: "awslogs", Options: map[string]string{
			"awslogs-group": logGroup, "awslogs-region": p.Region, "awslogs-stream-prefix": LogStreamPrefix,
			"mode": LogDriverMode, "max-buffer-size": LogMaxBufferSize,
		}},
	}
	for _, k := range slices.Sorted(maps.Keys(p.Environment)) {
		def.Environment = append(def.Environment, nameValue{k, p.Environment[k]})
	}
	secrets := append([]Secret(nil), p.Secrets...)
	sort.SliceStable(secrets, func(i, j int) bool { return secrets[i].Name < secrets[j].Name })
	for _, s := range secrets {
		from := s.ARN
		if s.JSONKey != "" {
			// <secret ARN>:<json-key>:<version-stage>:<version-id>, the
			// current version (ECS: "Pass Secrets Manager secrets through
			// Amazon ECS environment variables").
			from += ":" + s.JSONKey + "::"
		}
		def.Secrets = append(def.Secrets, nameFrom{s.Name, from})
	}
	if h := p.ContainerHealthCheck; h != nil {
		def.HealthCheck = &healthCheck{h.Command, h.IntervalSeconds, h.TimeoutSeconds, h.Retries, h.StartPeriodSeconds}
	}
	b, err := json.Marshal([]containerDef{def})
	if err != nil { // plain data only: cannot happen
		panic(err)
	}
	return string(b)
}
