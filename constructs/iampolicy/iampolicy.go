// Package iampolicy builds IAM policy documents as JSON strings. Values may hold
// cdktf tokens (resource attributes); cdktf resolves them inside the string.
package iampolicy

import (
	"encoding/json"

	"github.com/aws/jsii-runtime-go"
)

// Statement is one IAM policy statement.
type Statement struct {
	Sid       string         `json:"Sid,omitempty"`
	Effect    string         `json:"Effect"`
	Principal any            `json:"Principal,omitempty"`
	Action    []string       `json:"Action"`
	Resource  []string       `json:"Resource,omitempty"`
	Condition map[string]any `json:"Condition,omitempty"`
}

// Allow is an Allow statement of actions on resources.
func Allow(actions []string, resources ...string) Statement {
	return Statement{Effect: "Allow", Action: actions, Resource: resources}
}

// Document renders statements as a policy document.
func Document(statements ...Statement) *string {
	b, err := json.Marshal(struct {
		Version   string      `json:"Version"`
		Statement []Statement `json:"Statement"`
	}{"2012-10-17", statements})
	if err != nil { // only plain data goes in: cannot happen
		panic(err)
	}
	return jsii.String(string(b))
}

// AssumeRole is a trust policy letting an AWS service assume a role.
func AssumeRole(service string) *string {
	return Document(Statement{
		Effect:    "Allow",
		Principal: map[string]string{"Service": service},
		Action:    []string{"sts:AssumeRole"},
	})
}
