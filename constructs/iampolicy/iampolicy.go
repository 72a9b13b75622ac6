// Package iampolicy builds IAM policy documents as JSON strings. Values may hold
// cdktf tokens (resource attributes); cdktf resolves them inside the string.
package iampolicy

import (
	"encoding/json"

	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"
	"github.com/cdktf/cdktf-provider-aws-go/aws/v19/dataawscalleridentity"
	"github.com/cdktf/cdktf-provider-aws-go/aws/v19/dataawspartition"
	"github.com/cdktf/cdktf-provider-aws-go/aws/v19/dataawsregion"

	"selfhost/awsrules"
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

// AssumeRole is a trust policy letting an AWS service assume a role, with
// the confused-deputy conditions AWS documents for it: aws:SourceAccount is
// this account and aws:SourceArn (where the service sets it) one of its
// resources in this account and region (see awsrules.ServicePrincipal).
func (a Account) AssumeRole(p awsrules.ServicePrincipal) *string {
	cond := map[string]any{}
	if p.SendsSourceAccount {
		cond["StringEquals"] = map[string]string{"aws:SourceAccount": *a.ID}
	}
	if p.SourceResource != "" {
		cond["ArnLike"] = map[string]string{"aws:SourceArn": a.ARN(p.ARNService, p.SourceResource)}
	}
	if len(cond) == 0 {
		cond = nil
	}
	return Document(Statement{
		Effect:    "Allow",
		Principal: map[string]string{"Service": p.Service},
		Action:    []string{"sts:AssumeRole"},
		Condition: cond,
	})
}

// Account is the partition, region and account id of the stack a construct
// is in, read from data sources (aws_partition, aws_region,
// aws_caller_identity) so no ARN hard-codes them. Values are tokens.
type Account struct {
	Partition, Region, ID *string
}

// Here reads the stack's partition, region and account in scope, under id.
func Here(scope constructs.Construct, id string) Account {
	c := constructs.NewConstruct(scope, jsii.String(id))
	return Account{
		Partition: dataawspartition.NewDataAwsPartition(c, jsii.String("partition"), nil).Partition(),
		Region:    dataawsregion.NewDataAwsRegion(c, jsii.String("region"), nil).Name(),
		ID:        dataawscalleridentity.NewDataAwsCallerIdentity(c, jsii.String("caller"), nil).AccountId(),
	}
}

// ARN is arn:<partition>:<service>:<region>:<account>:<resource> of this account.
func (a Account) ARN(service, resource string) string {
	return "arn:" + *a.Partition + ":" + service + ":" + *a.Region + ":" + *a.ID + ":" + resource
}

// LogGroupARN is the ARN of the CloudWatch log group name ("*": every group
// of the account and region).
func (a Account) LogGroupARN(name string) string { return a.ARN("logs", "log-group:"+name) }
