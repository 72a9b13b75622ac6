package service

import (
	"slices"

	"selfhost/constructs/iampolicy"
)

// executionPolicy is the execution role's inline policy.
// viaService is a customer key the execution role may decrypt with through
// one AWS service only (kms:ViaService).
type viaService struct{ key, service string }

func executionPolicy(repoARN, logGroupARN string, secrets []resolvedSecret, kmsKeys []string, via *viaService) *string {
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
	if via != nil {
		sts = append(sts, iampolicy.Statement{
			Sid: "DatabaseSecretKMS", Effect: "Allow", Action: []string{"kms:Decrypt"}, Resource: []string{via.key},
			Condition: map[string]any{"StringEquals": map[string]string{"kms:ViaService": via.service}},
		})
	}
	return iampolicy.Document(sts...)
}

// secretKeyViaService is the database secret's customer key, usable
// through Secrets Manager of the service's region only; nil without one.
func secretKeyViaService(p Props) *viaService {
	if p.Database == nil || p.Database.SecretKMSKeyARN == "" {
		return nil
	}
	return &viaService{key: p.Database.SecretKMSKeyARN, service: "secretsmanager." + p.Region + ".amazonaws.com"}
}
