package config

import (
	"fmt"
	"maps"
	"slices"
	"strings"
)

// ServiceNames are the names of the environment's services, sorted: the
// order of everything built per service (never their position in the file).
func (c *Config) ServiceNames() []string { return slices.Sorted(maps.Keys(c.Services)) }

// Each calls f for every service, in ServiceNames order.
func (c *Config) Each(f func(s *Service)) {
	for _, n := range c.ServiceNames() {
		f(c.Services[n])
	}
}

// RelHost is a hosts entry relative to dns.domain: api for api or
// api.<domain>.
func (d DNS) RelHost(h string) string {
	return strings.TrimSuffix(h, "."+d.Domain)
}

// Hostname is the full name of a hosts entry, e.g. api.example.com.
func (d DNS) Hostname(h string) string { return d.RelHost(h) + "." + d.Domain }

// Hosts are the hosts of every service relative to the domain, in
// ServiceNames order then each service's order: the certificate's names
// and the DNS records.
func (c *Config) Hosts() []string {
	var out []string
	c.Each(func(s *Service) {
		for _, h := range s.Hosts {
			out = append(out, c.DNS.RelHost(h))
		}
	})
	return out
}

// Hostnames are the full names of every service's hosts: the names
// <env>-dns publishes and the only Host headers the load balancer serves.
func (c *Config) Hostnames() []string {
	var out []string
	for _, h := range c.Hosts() {
		out = append(out, h+"."+c.DNS.Domain)
	}
	return out
}

// ServiceHostnames are the full names the service answers on.
func (c *Config) ServiceHostnames(s *Service) []string {
	var out []string
	for _, h := range s.Hosts {
		out = append(out, c.DNS.Hostname(h))
	}
	return out
}

// Resources are the AWS names of one service's resources. A service
// adopting the single service of earlier versions keeps that service's
// names (a changed name would replace the resource); the others put their
// own name in every one, so two services never share one.
type Resources struct {
	// Base names the ECS service and task family, and starts the roles'
	// names (<Base>-task, <Base>-task-execution).
	Base string
	// LogGroup is the service's CloudWatch log group.
	LogGroup string
	// SecurityGroupPrefix is the tasks' security group name_prefix.
	SecurityGroupPrefix string
	// TargetGroupPrefix is the target group's name_prefix (at most 6).
	TargetGroupPrefix string
	// Repository is the default ECR repository name.
	Repository string
}

// ServiceResources are the AWS names of the service's resources.
func (c *Config) ServiceResources(s *Service) Resources {
	p := c.ResourcePrefix()
	if s.AdoptSingleService {
		return Resources{Base: p, LogGroup: "/" + p + "/service", SecurityGroupPrefix: p + "-service-", TargetGroupPrefix: "app-", Repository: DefaultRepository(p, s.Name, true)}
	}
	tg := s.Name
	if len(tg) > 5 {
		tg = tg[:5]
	}
	return Resources{
		Base:                p + "-" + s.Name,
		LogGroup:            "/" + p + "/services/" + s.Name,
		SecurityGroupPrefix: p + "-" + s.Name + "-",
		TargetGroupPrefix:   strings.TrimSuffix(tg, "-") + "-",
		Repository:          DefaultRepository(p, s.Name, false),
	}
}

// DefaultRepository is a service's ECR repository when image.repository
// is empty: <project>-<env>-<service>, or <project>-<env> (the single
// service's) for the service adopting it; prefix is <project>-<env>.
func DefaultRepository(prefix, service string, adopt bool) string {
	if adopt {
		return prefix
	}
	return prefix + "-" + service
}

// ContainerName is the container's name in every task definition.
const ContainerName = "app"

// RoleNames are the service's execution and task role names.
func (r Resources) RoleNames() (execution, task string) {
	return r.Base + "-task-execution", r.Base + "-task"
}

// MovedSingleServiceHint tells how to move an old service: section.
var MovedSingleServiceHint = fmt.Sprintf("was replaced by services: (a map by name); move the section under services.<name> (e.g. services.api), add hosts: [%s, %s] and priority: 100 to serve both names as before, and adopt_single_service: true so the existing deployment's resources are kept (README: Migrating from service:)", "api", "app")

// Clone is a copy of c that shares nothing a caller may change: its
// services and database are copies too (a plain struct copy shares them).
func (c *Config) Clone() *Config {
	out := *c
	out.Services = make(map[string]*Service, len(c.Services))
	for n, s := range c.Services {
		cp := *s
		out.Services[n] = &cp
	}
	if c.Database != nil {
		d := *c.Database
		out.Database = &d
	}
	return &out
}
