package guardrails

// The IAM rule: trust policies of AWS service principals carry the
// confused-deputy condition aws:SourceAccount.

import (
	"encoding/json"
	"fmt"
	"slices"

	"selfhost/awsrules"
	"selfhost/internal/tfdoc"
)

// trustStatement is what the rule reads of a trust policy statement.
type trustStatement struct {
	Effect    string
	Principal any
	Condition map[string]map[string]any
}

// services are the Service principals of a statement's Principal.
func (st trustStatement) services() []string {
	p, ok := st.Principal.(map[string]any)
	if !ok {
		return nil
	}
	switch v := p["Service"].(type) {
	case string:
		return []string{v}
	case []any:
		return tfdoc.Strs(v)
	}
	return nil
}

// pinsSourceAccount: some operator of the condition sets aws:SourceAccount.
func (st trustStatement) pinsSourceAccount() bool {
	for _, keys := range st.Condition {
		for k := range keys {
			if k == "aws:SourceAccount" {
				return true
			}
		}
	}
	return false
}

func trustSourceAccount(s *stack) []hit {
	// The ECS task execution role is the one ecs-tasks role AWS documents
	// without conditions (see awsrules.ECSTaskExecutionRole).
	execution := map[string]bool{}
	s.res.Each(func(_ string, a map[string]any) {
		if r := tfdoc.Ref(a["execution_role_arn"]); r != "" && r != tfdoc.Ref(a["task_role_arn"]) {
			execution[r] = true
		}
	}, "aws_ecs_task_definition")
	var hits []hit
	s.res.Each(func(addr string, a map[string]any) {
		if execution[addr] {
			return
		}
		var doc struct{ Statement []trustStatement }
		raw := tfdoc.Str(a["assume_role_policy"])
		if err := json.Unmarshal([]byte(raw), &doc); err != nil {
			// A single statement object instead of a list.
			var one struct{ Statement trustStatement }
			if json.Unmarshal([]byte(raw), &one) != nil {
				return // not a literal document (e.g. a data source's json): not checked
			}
			doc.Statement = []trustStatement{one.Statement}
		}
		for _, st := range doc.Statement {
			if st.Effect != "Allow" || st.pinsSourceAccount() {
				continue
			}
			for _, svc := range st.services() {
				if slices.Contains(awsrules.ConfusedDeputyServices, svc) {
					hits = append(hits, hit{addr, fmt.Sprintf("the role trusts %s without an aws:SourceAccount condition", svc)})
				}
			}
		}
	}, "aws_iam_role")
	return hits
}
