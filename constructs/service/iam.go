package service

import (
	"slices"

	"selfhost/constructs/iampolicy"
)

// executionPolicy is the execution role's inline policy.
func executionPolicy(repoARN, logGroupARN string, secrets []resolvedSecret, kmsKeys []string) *string {
	sts := []iampolicy.Statement{
		// GetAuthorizationToken has no resource-level permissions: "*" is its only resource.
		{Sid: "ECRAuth", Effect: "Allow", Action: []string{"ecr:GetAuthorizationToken"}, Resource: []string{"*"}},
		{Sid: "ECRPull", Effect: "Allow", Action: []string{"ecr:BatchCheckLayerAvailability", "ecr:GetDownloadUrlForLayer", "ecr:BatchGetImage"}, Resource: []string{repoARN}},
		{Sid: "Logs", Effect: "Allow", Action: []string{"logs:CreateLogStream", "logs:PutLogEvents"}, Resource: []string{logGroupARN + ":log-stream:*"}},
	}
	var sm, ssm []string
	for _, s := range secrets {
		if s.Source == SourceSecretsManager {
			if !slices.Contains(sm, s.resource) {
				sm = append(sm, s.resource)
			}
		} else {
			if !slices.Contains(ssm, s.resource) {
				ssm = append(ssm, s.resource)
			}
		}
	}
	if len(sm) > 0 {
		sts = append(sts, iampolicy.Statement{Sid: "SecretsManager", Effect: "Allow", Action: []string{"secretsmanager:GetSecretValue"}, Resource: sm})
	}
	if len(ssm) > 0 {
		sts = append(sts, iampolicy.Statement{Sid: "SSMParameters", Effect: "Allow", Action: []string{"ssm:GetParameters"}, Resource: ssm})
	}
	if len(kmsKeys) > 0 {
		sts = append(sts, iampolicy.Statement{Sid: "SecretsKMS", Effect: "Allow", Action: []string{"kms:Decrypt"}, Resource: kmsKeys})
	}
	return iampolicy.Document(sts...)
}
