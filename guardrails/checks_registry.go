package guardrails

// The registry rule: the lifecycle policy never expires tagged images.

import (
	"encoding/json"
	"fmt"

	"selfhost/internal/tfdoc"
)

// lifecycleTagged finds ECR lifecycle policy rules that expire tagged
// images (tagStatus tagged or any, by count or by age): the service's
// retained task definitions pin images of the repository, and ECS pulls
// them again on scale-out, task replacement and rollback.
func lifecycleTagged(s *stack) []hit {
	var hits []hit
	s.res.Each(func(addr string, a map[string]any) {
		raw := tfdoc.Str(a["policy"])
		var p struct {
			Rules []struct {
				RulePriority int `json:"rulePriority"`
				Selection    struct {
					TagStatus string `json:"tagStatus"`
					CountType string `json:"countType"`
				} `json:"selection"`
				Action struct {
					Type string `json:"type"`
				} `json:"action"`
			} `json:"rules"`
		}
		if err := json.Unmarshal([]byte(raw), &p); err != nil {
			hits = append(hits, hit{addr, "the lifecycle policy is not readable JSON, so it cannot be shown to keep tagged images"})
			return
		}
		for _, r := range p.Rules {
			if r.Action.Type == "expire" && r.Selection.TagStatus != "untagged" {
				hits = append(hits, hit{addr, fmt.Sprintf("lifecycle rule %d expires %s images (%s)", r.RulePriority, r.Selection.TagStatus, r.Selection.CountType)})
			}
		}
	}, "aws_ecr_lifecycle_policy")
	return hits
}
