"""Start a moto server with small fixes for gaps that Terraform trips over.

Usage: python3 launcher.py PORT CERT.pem KEY.pem

The Go package selfhost/emulator embeds this file and runs it; it is not
meant to be run by hand (though it works: it serves https://127.0.0.1:PORT).

Every patch below is a small function that fixes one known gap of moto 5.2.x
as seen by the Terraform AWS provider 5.x. A patch checks that the moto
internals it relies on exist and raises PatchError naming itself if they do
not, so a moto upgrade that changes them fails at startup instead of
silently serving wrong answers. The patches make the emulator behave like
AWS; they never relax what the stacks ask for.

One thing here is not AWS: FORK_PATH, the tests' way to copy a deployment
(see Forkable).
"""

import json
import re
import sys


class PatchError(RuntimeError):
    pass


def _need(obj, *names, patch):
    """Fail loudly when moto no longer has the attributes a patch relies on."""
    for name in names:
        if not hasattr(obj, name):
            raise PatchError(
                f"patch {patch}: moto internals changed, "
                f"{getattr(obj, '__name__', obj)!r} has no attribute {name!r}"
            )


def patch_s3_delete_marker_dispose():
    """S3: deleting delete markers must not crash.

    moto disposes every version of a key when it drops the key (see
    _VersionedKeyStore.pop), but FakeDeleteMarker has no dispose(). That
    happens when versions are deleted by id from a bucket whose versioning
    is Suspended -- which is exactly what Terraform does when it destroys
    aws_s3_bucket_versioning and then empties a force_destroy bucket -- and
    fails with "'FakeDeleteMarker' object has no attribute 'dispose'".
    A delete marker holds no data (no temporary file), so disposing of it
    is a no-op.
    """
    from moto.s3 import models

    _need(models, "FakeDeleteMarker", "FakeKey", patch="s3_delete_marker_dispose")
    _need(models.FakeKey, "dispose", patch="s3_delete_marker_dispose")
    if not hasattr(models.FakeDeleteMarker, "dispose"):

        def dispose(self, garbage=False):
            pass

        models.FakeDeleteMarker.dispose = dispose


def patch_appautoscaling_tagging():
    """Application Auto Scaling: ListTagsForResource, TagResource, UntagResource.

    moto 5.2.1 does not implement them, and the AWS provider reads a scalable
    target's tags right after RegisterScalableTarget, so aws_appautoscaling_target
    cannot be created. Tags live on the scalable target (as on AWS: only
    scalable targets can be tagged, and tags go away with the target);
    RegisterScalableTarget's Tags parameter is honoured too.
    """
    from moto.applicationautoscaling import responses
    from moto.core.exceptions import JsonRESTError

    cls = responses.ApplicationAutoScalingResponse
    _need(
        cls,
        "register_scalable_target",
        "applicationautoscaling_backend",
        "_get_param",
        patch="appautoscaling_tagging",
    )
    for op in ("list_tags_for_resource", "tag_resource", "untag_resource"):
        if hasattr(cls, op):
            raise PatchError(
                f"patch appautoscaling_tagging: moto now implements {op}; "
                "remove this patch"
            )

    def find_target(self, arn):
        backend = self.applicationautoscaling_backend
        for by_resource in backend.targets.values():
            for target in by_resource.values():
                if target.arn == arn:
                    if not hasattr(target, "selfhost_tags"):
                        target.selfhost_tags = {}
                    return target
        raise JsonRESTError(
            "ResourceNotFoundException",
            f"No scalable target found for ARN {arn}",
        )

    def list_tags_for_resource(self):
        target = find_target(self, self._get_param("ResourceARN"))
        return json.dumps({"Tags": target.selfhost_tags})

    def tag_resource(self):
        target = find_target(self, self._get_param("ResourceARN"))
        target.selfhost_tags.update(self._get_param("Tags") or {})
        return json.dumps({})

    def untag_resource(self):
        target = find_target(self, self._get_param("ResourceARN"))
        for key in self._get_param("TagKeys") or []:
            target.selfhost_tags.pop(key, None)
        return json.dumps({})

    original_register = cls.register_scalable_target

    def register_scalable_target(self):
        body = original_register(self)
        tags = self._get_param("Tags")
        if tags:
            arn = json.loads(body)["ScalableTargetARN"]
            find_target(self, arn).selfhost_tags.update(tags)
        return body

    cls.list_tags_for_resource = list_tags_for_resource
    cls.tag_resource = tag_resource
    cls.untag_resource = untag_resource
    cls.register_scalable_target = register_scalable_target


# ECS service fields moto's CreateService ignores, with the Service attribute
# moto's response serializer reads them from (camelCase -> snake_case).
_ECS_SERVICE_FIELDS = {
    "healthCheckGracePeriodSeconds": "health_check_grace_period_seconds",
    "availabilityZoneRebalancing": "availability_zone_rebalancing",
    "deploymentConfiguration": "deployment_configuration",
    "enableECSManagedTags": "enable_ecs_managed_tags",
}


def patch_ecs_service_fields():
    """ECS: keep healthCheckGracePeriodSeconds, availabilityZoneRebalancing,
    deploymentConfiguration and enableECSManagedTags on services.

    moto's CreateService drops them, so DescribeServices never returns them
    and Terraform sees permanent drift on aws_ecs_service. They are stored
    on the Service object, where moto's serializer picks them up for
    CreateService, DescribeServices and UpdateService. UpdateService already
    stores any parameter it is given under its snake_case name, so changes
    arrive there; deploymentConfiguration is merged (AWS keeps the parts an
    update leaves out). When no deploymentConfiguration is given, AWS
    defaults apply: maximumPercent 200 and minimumHealthyPercent 100
    (DAEMON services: 100 and 0), circuit breaker disabled.
    """
    from moto.ecs import models, responses

    cls = responses.EC2ContainerServiceResponse
    _need(cls, "create_service", "update_service", "_get_param", patch="ecs_service_fields")
    _need(models.EC2ContainerServiceBackend, "update_service", patch="ecs_service_fields")

    def defaults(scheduling_strategy):
        daemon = scheduling_strategy == "DAEMON"
        return {
            "deploymentCircuitBreaker": {"enable": False, "rollback": False},
            "maximumPercent": 100 if daemon else 200,
            "minimumHealthyPercent": 0 if daemon else 100,
        }

    original_create = cls.create_service

    def create_service(self):
        result = original_create(self)
        service = result.result["service"]
        for param, attr in _ECS_SERVICE_FIELDS.items():
            value = self._get_param(param)
            if param == "deploymentConfiguration":
                merged = defaults(service.scheduling_strategy)
                merged.update(value or {})
                value = merged
            if value is not None:
                setattr(service, attr, value)
        return result

    original_update = models.EC2ContainerServiceBackend.update_service

    def update_service(self, service_properties):
        # Merge a partial deploymentConfiguration into the stored one
        # instead of replacing it wholesale.
        new = service_properties.get("deployment_configuration")
        if new is not None:
            cluster = service_properties.get("cluster", "default")
            name = service_properties["service"].split("/")[-1]
            current = getattr(
                self._get_service(cluster, name), "deployment_configuration", None
            )
            if current:
                merged = dict(current)
                merged.update(new)
                service_properties["deployment_configuration"] = merged
        return original_update(self, service_properties)

    cls.create_service = create_service
    models.EC2ContainerServiceBackend.update_service = update_service


# Circuit breaker failure threshold: 0.5 x desired tasks, at least 3, at most
# 200 (https://docs.aws.amazon.com/AmazonECS/latest/developerguide/deployment-circuit-breaker.html).
_CIRCUIT_BREAKER_MIN, _CIRCUIT_BREAKER_MAX = 3, 200

_ECR_IMAGE = re.compile(
    r"^(?P<account>[0-9]{12})\.dkr\.ecr(-fips)?\.(?P<region>[a-z0-9-]+)\.amazonaws\.com(\.cn)?/"
    r"(?P<repo>[^@]+?)(:(?P<tag>[^@/:]+))?(@(?P<digest>sha256:[0-9a-f]{64}))?$"
)


def patch_ecs_service_rollout_from_ecr():
    """ECS: a service's rollout succeeds or fails on whether its image is in ECR.

    moto never runs tasks: runningCount is MOTO_ECS_SERVICE_RUNNING (0 by
    default) for every service, so a Terraform apply that waits for steady
    state (wait_for_steady_state) would wait for ever, and an image that
    cannot be pulled goes unnoticed. After CreateService and UpdateService
    (and so after patch_ecs_service_fields has stored the deployment
    configuration) this patch settles the service the way ECS would once
    the rollout is over:

    - every container image of the task definition is pullable: the
      deployment is PRIMARY and COMPLETED, runningCount == desiredCount,
      no failed tasks; the task definition is remembered as the last
      steady one;
    - an image is not pullable: ECS's tasks fail (CannotPullContainerError)
      until the circuit breaker's threshold of failed tasks; with the
      circuit breaker on the rollout is FAILED, and with rollback on and an
      earlier steady task definition ECS rolls back to it: the service is
      steady again on the previous revision, with the failure in its events
      (what the Terraform postcondition then reports). Without a revision
      to roll back to it stays FAILED with no running tasks; without the
      circuit breaker it stays IN_PROGRESS.

    An image is pullable when it is in a private ECR registry
    (<account>.dkr.ecr.<region>.amazonaws.com/<repo>) and that repository
    of the emulator holds it by digest (@sha256:...) or by tag. Images of
    other registries (public.ecr.aws, Docker Hub, ...) count as pullable:
    the emulator cannot see them, and on AWS they depend on that registry
    and the route out, not on anything the stacks create.
    moto's own counts of the cluster's running and pending tasks are left
    as moto keeps them.
    """
    from moto.ecr.models import ecr_backends
    from moto.ecs import models, responses

    name = "ecs_service_rollout_from_ecr"
    cls = responses.EC2ContainerServiceResponse
    _need(cls, "create_service", "update_service", "ecs_backend", patch=name)
    _need(models.EC2ContainerServiceBackend, "describe_task_definition", "_get_service", patch=name)
    _need(models, "utcnow", "mock_random", "Service", patch=name)
    from moto.ecr.models import Image

    _need(Image, "get_image_digest", patch=name)

    def missing(image):
        """Why image cannot be pulled, or None when it can."""
        m = _ECR_IMAGE.match(image)
        if not m:
            return None  # another registry: see the docstring
        ecr = ecr_backends[m["account"]][m["region"]]
        repo = ecr.repositories.get(m["repo"])
        if repo is None:
            return f"repository {m['repo']} does not exist"
        for img in repo.images:
            if m["digest"] and img.get_image_digest() == m["digest"]:
                return None
            if not m["digest"] and m["tag"] and m["tag"] in img.image_tags:
                return None
        return f"{m['digest'] or m['tag']} is not in repository {m['repo']}"

    def deployment(service, task_definition, state, reason, running, failed):
        now = models.utcnow()
        return {
            "createdAt": now,
            "updatedAt": now,
            "id": f"ecs-svc/{models.mock_random.randint(0, 32**12)}",
            "status": "PRIMARY",
            "taskDefinition": task_definition,
            "desiredCount": service.desired_count,
            "pendingCount": 0,
            "runningCount": running,
            "failedTasks": failed,
            "rolloutState": state,
            "rolloutStateReason": reason,
            "launchType": service.launch_type,
            "platformVersion": service.platform_version,
            "platformFamily": "EC2" if service.launch_type == "EC2" else "FARGATE",
            "networkConfiguration": service.network_configuration,
        }

    def event(service, message):
        service.events.insert(0, {
            "createdAt": models.utcnow(),
            "id": str(models.mock_random.uuid4()),
            "message": f"(service {service.name}) {message}",
        })

    def settle(backend, service):
        if service.deployment_controller.get("type", "ECS") != "ECS" or not service.task_definition:
            return
        td = backend.describe_task_definition(service.task_definition)
        why = [w for w in (missing(c.get("image", "")) for c in td.container_definitions) if w]
        desired = service.desired_count
        if not why:
            service.running_count, service.pending_count = desired, 0
            service.deployments = [deployment(service, td.arn, "COMPLETED", "ECS deployment completed.", desired, 0)]
            service.selfhost_steady_task_definition = td.arn
            event(service, "has reached a steady state.")
            return
        breaker = (getattr(service, "deployment_configuration", None) or {}).get("deploymentCircuitBreaker") or {}
        failed = min(max((desired + 1) // 2, _CIRCUIT_BREAKER_MIN), _CIRCUIT_BREAKER_MAX)
        failing = deployment(service, td.arn, "IN_PROGRESS", "ECS deployment in progress.", 0, failed)
        event(service, f"(deployment {failing['id']}) tasks failed to start: CannotPullContainerError: {'; '.join(why)}")
        previous = getattr(service, "selfhost_steady_task_definition", None)
        if not breaker.get("enable"):
            service.running_count, service.pending_count = 0, desired
            failing["pendingCount"] = desired
            service.deployments = [failing]
            return
        event(service, f"(deployment {failing['id']}) deployment failed: tasks failed to start.")
        if breaker.get("rollback") and previous and previous != td.arn:
            service.task_definition = previous
            service.running_count, service.pending_count = desired, 0
            reason = f"ECS deployment circuit breaker: rolling back to the last steady task definition {previous}."
            service.deployments = [deployment(service, previous, "COMPLETED", reason, desired, 0)]
            event(service, f"rolled back to {previous}: {reason}")
            return
        service.running_count, service.pending_count = 0, 0
        failing["rolloutState"] = "FAILED"
        failing["rolloutStateReason"] = "ECS deployment circuit breaker: tasks failed to start."
        service.deployments = [failing]

    original_create, original_update = cls.create_service, cls.update_service

    def create_service(self):
        result = original_create(self)
        settle(self.ecs_backend, result.result["service"])
        return result

    def update_service(self):
        result = original_update(self)
        settle(self.ecs_backend, result.result["service"])
        return result

    cls.create_service = create_service
    cls.update_service = update_service


def patch_bucket_policy_secure_transport():
    """S3 bucket policies: evaluate aws:SecureTransport and s3:TlsVersion like AWS does.

    moto 5.2.1 evaluates bucket policies without request context and knows
    only the StringEquals condition operator; every other operator (Bool
    among them) counts as met, and a statement whose condition is not met
    is DENIED instead of not applying. Together that makes the standard
    TLS-only policy (Deny s3:* when aws:SecureTransport is "false") deny
    every request. This patch adds the Bool operator, gives bucket policies
    the context key aws:SecureTransport = "true" (the emulator serves HTTPS
    only), and makes a statement whose condition is not met neutral, as on
    AWS. Trust policies are unaffected: they still need an explicit Allow.

    The same goes for the minimum-TLS statement (Deny when NumericLessThan
    s3:TlsVersion 1.2): moto has no NumericLessThan, so the Deny would always
    apply. The patch adds NumericLessThan and gives s3:TlsVersion = "1.2":
    the emulator's TLS server (Python's ssl defaults) refuses anything older,
    so 1.2 is the lowest version a request can have.
    """
    from moto.iam import access_control as ac
    from moto.iam import policy_conditions as pc
    from moto.s3 import models

    name = "bucket_policy_secure_transport"
    _need(pc, "CONDITION_OPERATIONS", patch=name)
    _need(ac.IAMPolicyStatement, "is_action_permitted", "_check_conditions", patch=name)
    _need(ac, "IAMPolicy", "PermissionResult", patch=name)
    _need(models.FakeBucket, "get_permission", patch=name)

    def bool_operation(expected, actual):
        values = expected if isinstance(expected, list) else [expected]
        return str(actual).lower() in [str(v).lower() for v in values]

    pc.CONDITION_OPERATIONS.setdefault("Bool", bool_operation)

    def numeric_less_than(expected, actual):
        values = expected if isinstance(expected, list) else [expected]
        try:
            return any(float(actual) < float(v) for v in values)
        except (TypeError, ValueError):
            return False

    pc.CONDITION_OPERATIONS.setdefault("NumericLessThan", numeric_less_than)

    original = ac.IAMPolicyStatement.is_action_permitted

    def is_action_permitted(self, action, resource="*", principal=None, incoming_condition_values=None):
        if self._statement.get("Condition") and not self._check_conditions(incoming_condition_values):
            return ac.PermissionResult.NEUTRAL
        return original(self, action, resource, principal, incoming_condition_values)

    ac.IAMPolicyStatement.is_action_permitted = is_action_permitted

    def get_permission(self, action, resource):
        if self.policy is None:
            return ac.PermissionResult.NEUTRAL
        policy = ac.IAMPolicy(self.policy.decode())
        return policy.is_action_permitted(
            action, resource, None, {"aws:SecureTransport": "true", "s3:TlsVersion": "1.2"}
        )

    models.FakeBucket.get_permission = get_permission


def patch_security_group_rule_description():
    """EC2: a security group rule that references another group keeps its description.

    moto stores the description of a rule with a referenced group (a
    UserIdGroupPair) in that pair, but DescribeSecurityGroupRules reads it
    only from IP ranges, so Terraform sees permanent drift on the
    description of aws_vpc_security_group_ingress_rule/egress_rule with
    referenced_security_group_id.
    """
    from moto.ec2.models import security_groups as sg

    name = "security_group_rule_description"
    _need(sg, "SecurityGroupRule", patch=name)
    _need(sg.SecurityGroupRule, "description", patch=name)

    def description(self):
        return self.ip_range.get("Description") or (self.source_group or {}).get("Description")

    sg.SecurityGroupRule.description = property(description)


def patch_security_group_rule_modify_reference():
    """EC2: ModifySecurityGroupRules changes the group a rule references.

    AWS's ModifySecurityGroupRules takes a SecurityGroupRuleRequest whose
    ReferencedGroupId replaces the rule's source or destination group (EC2
    API reference: ModifySecurityGroupRules, SecurityGroupRuleRequest), and
    the Terraform provider updates referenced_security_group_id of
    aws_vpc_security_group_ingress_rule/egress_rule in place with it. moto
    5.2.1 validates the field and then ignores it ("TODO: Handle ...
    reference_group_id"), so the rule keeps pointing at the old group: a
    replaced security group then stays referenced and (with the
    dependency-violation patch) can never be deleted, although on AWS it
    can. An unknown group is refused with InvalidGroup.NotFound, as on AWS.
    """
    from moto.ec2 import exceptions
    from moto.ec2.models import security_groups as sg

    name = "security_group_rule_modify_reference"
    _need(sg.SecurityGroupBackend, "modify_security_group_rules", "get_security_group_by_name_or_id", patch=name)
    _need(sg.SecurityGroup, "get_rule", patch=name)
    _need(exceptions, "InvalidSecurityGroupNotFoundError", patch=name)

    original = sg.SecurityGroupBackend.modify_security_group_rules

    def modify_security_group_rules(self, group_id, rules):
        for new_rule in rules.values():
            ref = new_rule.get("ReferencedGroupId")
            if ref is not None and self.get_security_group_by_name_or_id(ref) is None:
                raise exceptions.InvalidSecurityGroupNotFoundError(ref)
        original(self, group_id, rules)
        group = self.get_security_group_by_name_or_id(group_id)
        for rule_id, new_rule in rules.items():
            ref = new_rule.get("ReferencedGroupId")
            if ref is None:
                continue
            rule = group.get_rule(rule_id)
            pair = {"GroupId": ref, "UserId": self.account_id}
            description = new_rule.get("Description", (rule.source_group or {}).get("Description"))
            if description is not None:
                pair["Description"] = description
            rule.source_group = pair
            rule.ip_range = {k: v for k, v in rule.ip_range.items() if k == "Description"}

    sg.SecurityGroupBackend.modify_security_group_rules = modify_security_group_rules


def patch_rds_modify_db_subnet_group():
    """RDS: ModifyDBSubnetGroup keeps the group.

    moto 5.2.1 pops the group from its registry to modify it and never puts
    it back, so the group vanishes after any in-place update (Terraform:
    "Provider produced inconsistent result ... Root object was present, but
    now absent"). That is what adding an AZ does to the database subnet
    group: a new subnet joins it.
    """
    from moto.rds import models

    name = "rds_modify_db_subnet_group"
    _need(models, "RDSBackend", patch=name)
    _need(models.RDSBackend, "modify_db_subnet_group", patch=name)
    original = models.RDSBackend.modify_db_subnet_group

    def modify_db_subnet_group(self, subnet_name, description, subnets):
        group = original(self, subnet_name, description, subnets)
        self.subnet_groups[subnet_name] = group
        return group

    models.RDSBackend.modify_db_subnet_group = modify_db_subnet_group


def patch_rds_performance_insights():
    """RDS: DB instances keep their Performance Insights settings.

    moto 5.2.1 accepts EnablePerformanceInsights, PerformanceInsightsKMSKeyId
    and PerformanceInsightsRetentionPeriod on CreateDBInstance and
    ModifyDBInstance but never stores or returns them, so DescribeDBInstances
    says Performance Insights is off: Terraform reads
    performance_insights_enabled = false back after every apply and plans an
    update of every Aurora instance forever (the re-plan is never clean).
    The patch stores the three on creation (ModifyDBInstance sets the
    attributes under these names already) and returns
    PerformanceInsightsEnabled from them, as RDS does.
    """
    from moto.rds import models

    name = "rds_performance_insights"
    _need(models, "DBInstance", patch=name)
    _need(models.DBInstance, "__init__", "update", patch=name)
    if "performance_insights_enabled" in vars(models.DBInstance):
        raise SystemExit(f"patch {name}: moto now models Performance Insights; remove this patch")
    keys = ("enable_performance_insights", "performance_insights_kms_key_id", "performance_insights_retention_period")
    original = models.DBInstance.__init__

    def __init__(self, *args, **kwargs):
        original(self, *args, **kwargs)
        for k in keys:
            setattr(self, k, kwargs.get(k))

    models.DBInstance.__init__ = __init__
    models.DBInstance.performance_insights_enabled = property(
        lambda self: bool(getattr(self, "enable_performance_insights", False))
    )


def patch_rds_provisioned_scaling_configuration():
    """RDS: a provisioned cluster has no ScalingConfigurationInfo.

    moto 5.2.1 answers DescribeDBClusters with an empty
    ScalingConfigurationInfo (Aurora Serverless v1 capacity) for every
    cluster; RDS sends it only for engine mode serverless. The Terraform
    provider reads the empty element as a scaling_configuration block and
    plans to fill in its defaults after every apply (the re-plan is never
    clean). The patch returns nothing for a cluster without a Serverless v1
    scaling configuration.
    """
    from moto.rds import models

    name = "rds_provisioned_scaling_configuration"
    _need(models, "DBCluster", patch=name)
    original = vars(models.DBCluster).get("scaling_configuration_info")
    if not isinstance(original, property):
        raise SystemExit(f"patch {name}: moto internals changed, DBCluster.scaling_configuration_info is no property")

    def scaling_configuration_info(self):
        if not getattr(self, "scaling_configuration", None):
            return None
        return original.fget(self)

    models.DBCluster.scaling_configuration_info = property(scaling_configuration_info)


def patch_elbv2_default_scheme():
    """ELBv2: a load balancer created without Scheme is internet-facing.

    AWS defaults Scheme to internet-facing; moto 5.2.1 passes the missing
    parameter on as None, so DescribeLoadBalancers returns no scheme. The
    AWS provider omits Scheme for internal = false.
    """
    from moto.elbv2 import models

    name = "elbv2_default_scheme"
    _need(models, "ELBv2Backend", patch=name)
    _need(models.ELBv2Backend, "create_load_balancer", patch=name)
    original = models.ELBv2Backend.create_load_balancer

    def create_load_balancer(self, *args, **kwargs):
        if kwargs.get("scheme") is None:
            kwargs["scheme"] = "internet-facing"
        return original(self, *args, **kwargs)

    models.ELBv2Backend.create_load_balancer = create_load_balancer


def patch_ec2_dependency_violation():
    """EC2: DeleteSubnet and DeleteSecurityGroup refuse while something uses them.

    AWS refuses to delete a subnet that has dependencies and a security
    group that is associated with a network interface or referenced by
    another group's rule, with DependencyViolation (EC2 API reference:
    DeleteSubnet, DeleteSecurityGroup; "Error codes for the Amazon EC2
    API"). moto 5.2.1 deletes both regardless, so a change that would fail
    on AWS (a subnet removed while the load balancer or the tasks still use
    it, a security group replaced in place) applies cleanly on the emulator.

    The users checked are the ones whose network interfaces AWS places in a
    subnet and attaches to a group: load balancers (elbv2; subnets and
    security groups), VPC endpoints that are not deleted (subnets, groups)
    and ECS services that are not INACTIVE (awsvpc network configuration).
    A group is also in use while another group's rule references it (a
    group's rule referencing itself does not count, as on AWS). moto's own
    network interface records are not used: it keeps the interface of a
    deleted NAT gateway and of a subnet removed from an endpoint, which AWS
    removes, so they would refuse deletes AWS accepts.
    """
    from moto.ec2 import exceptions
    from moto.ec2.models import security_groups as sgm
    from moto.ec2.models import subnets as snm
    from moto.ecs import models as ecsm
    from moto.elbv2 import models as elbm

    name = "ec2_dependency_violation"
    _need(exceptions, "DependencyViolationError", patch=name)
    _need(ecsm, "ecs_backends", patch=name)
    _need(elbm, "elbv2_backends", patch=name)
    _need(snm.SubnetBackend, "delete_subnet", patch=name)
    _need(sgm.SecurityGroupBackend, "delete_security_group", "get_security_group_by_name_or_id", patch=name)

    def users(backend):
        """(subnet ids, group ids) of each load balancer, endpoint and service."""
        account, region = backend.account_id, backend.region_name
        for lb in elbm.elbv2_backends[account][region].load_balancers.values():
            yield [s.id for s in lb.subnets], list(lb.security_groups or [])
        for vpce in backend.vpc_end_points.values():
            if vpce.state != "deleted":
                yield list(vpce.subnet_ids or []), list(vpce.security_group_ids or [])
        for svc in ecsm.ecs_backends[account][region].services.values():
            if svc.status == "INACTIVE":
                continue
            vpc = (svc.network_configuration or {}).get("awsvpcConfiguration") or {}
            yield list(vpc.get("subnets") or []), list(vpc.get("securityGroups") or [])

    original_delete_subnet = snm.SubnetBackend.delete_subnet

    def delete_subnet(self, subnet_id):
        for subnets, _ in users(self):
            if subnet_id in subnets:
                raise exceptions.DependencyViolationError(
                    f"The subnet '{subnet_id}' has dependencies and cannot be deleted."
                )
        return original_delete_subnet(self, subnet_id)

    original_delete_group = sgm.SecurityGroupBackend.delete_security_group

    def delete_security_group(self, name=None, group_id=None):
        group = self.get_security_group_by_name_or_id(group_id or name)
        if group is not None:
            in_use = any(group.id in groups for _, groups in users(self))
            for other in self.groups.get(group.vpc_id, {}).values():
                if other.id == group.id:
                    continue
                for rule in list(other.ingress_rules) + list(other.egress_rules):
                    if (rule.source_group or {}).get("GroupId") == group.id:
                        in_use = True
            if in_use:
                raise exceptions.DependencyViolationError(
                    f"resource {group.id} has a dependent object"
                )
        return original_delete_group(self, name=name, group_id=group_id)

    snm.SubnetBackend.delete_subnet = delete_subnet
    sgm.SecurityGroupBackend.delete_security_group = delete_security_group


PATCHES = [
    patch_s3_delete_marker_dispose,
    patch_bucket_policy_secure_transport,
    patch_appautoscaling_tagging,
    patch_ecs_service_fields,
    patch_ecs_service_rollout_from_ecr,  # after ecs_service_fields: reads the circuit breaker it stores
    patch_security_group_rule_description,
    patch_security_group_rule_modify_reference,
    patch_rds_modify_db_subnet_group,
    patch_rds_performance_insights,
    patch_rds_provisioned_scaling_configuration,
    patch_elbv2_default_scheme,
    patch_ec2_dependency_violation,
]


# FORK_PATH is not AWS: the test harness's way to copy a deployment. A POST
# to it starts a second server, a fork of this process with every resource
# it holds at that moment, on its own loopback port, and answers
# {"port": P, "pid": PID}. The copy and this server then change
# independently; the copy dies with this one. Nothing else may run against
# the server while it forks (the copy gets no half-done request).
FORK_PATH = "/_selfhost/fork"


class Forkable:
    """The moto WSGI app, plus FORK_PATH."""

    def __init__(self, app, cert, key):
        self.app, self.cert, self.key = app, cert, key

    def __call__(self, environ, start_response):
        if environ.get("PATH_INFO") == FORK_PATH and environ.get("REQUEST_METHOD") == "POST":
            return self.fork(start_response)
        return self.app(environ, start_response)

    def serve(self, port):
        """A server on 127.0.0.1:port (0: any free port), with its forker."""
        import os
        import queue
        import threading

        from werkzeug.serving import make_server

        srv = make_server("127.0.0.1", port, self, threaded=True, ssl_context=(self.cert, self.key))
        # moto builds some URLs from MOTO_PORT.
        os.environ["MOTO_PORT"] = str(srv.server_address[1])
        # Forks happen on one long-lived thread of the serving process: the
        # copy's death signal (_die_with_parent) follows the thread that
        # forked it, and a request's thread ends with the request.
        self.requests = queue.Queue()
        threading.Thread(target=self._forker, daemon=True).start()
        return srv

    def fork(self, start_response):
        import queue

        reply = queue.Queue()
        self.requests.put(reply)
        port, pid = reply.get()
        if port is None:
            body, status = json.dumps({"error": "the copy did not start"}), "500 Internal Server Error"
        else:
            body, status = json.dumps({"port": port, "pid": pid}), "200 OK"
        start_response(status, [("Content-Type", "application/json"), ("Content-Length", str(len(body)))])
        return [body.encode()]

    def _forker(self):
        import gc
        import os
        import socket
        import threading

        while True:
            reply = self.requests.get()
            r, w = os.pipe()
            pid = os.fork()
            if pid == 0:  # the copy: only this thread lives on
                try:
                    os.close(r)
                    _die_with_parent()
                    # Every socket of the original (its listener, its
                    # clients' connections) is closed here, through its
                    # object, so no client of the original ever reads from
                    # the copy.
                    for o in gc.get_objects():
                        if isinstance(o, socket.socket) and o.fileno() != -1:
                            o.close()
                    srv = self.serve(0)  # with a forker of its own
                    os.write(w, f"{srv.server_address[1]}\n".encode())
                    os.close(w)
                    srv.serve_forever()
                except BaseException as e:
                    if not isinstance(e, SystemExit):
                        import traceback

                        traceback.print_exc()
                finally:
                    os._exit(0)
            os.close(w)
            threading.Thread(target=os.waitpid, args=(pid, 0), daemon=True).start()  # reaps it
            with os.fdopen(r) as f:
                line = f.readline().strip()
            reply.put((int(line), pid) if line.isdigit() else (None, pid))


def _die_with_parent():
    """SIGKILL this process when its parent (the original server) dies."""
    import ctypes
    import os
    import signal

    PR_SET_PDEATHSIG = 1
    ctypes.CDLL(None, use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGKILL)
    if os.getppid() == 1:
        os._exit(0)


def main():
    if len(sys.argv) != 4:
        sys.exit("usage: launcher.py PORT CERT.pem KEY.pem")
    port, cert, key = sys.argv[1:4]
    for patch in PATCHES:
        patch()
    print(
        "selfhost emulator: applied patches: "
        + ", ".join(p.__name__ for p in PATCHES),
        flush=True,
    )
    import signal

    from moto.moto_server.werkzeug_app import DomainDispatcherApplication, create_backend_app

    # As moto.server.main does, with the fork: loopback only, always; HTTPS
    # like AWS (aws:SecureTransport holds).
    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, lambda *_: sys.exit(0))
    app = DomainDispatcherApplication(create_backend_app)
    app.debug = True
    Forkable(app, cert, key).serve(int(port)).serve_forever()


if __name__ == "__main__":
    main()
