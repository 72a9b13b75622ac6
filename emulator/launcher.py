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
"""

import json
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


def patch_bucket_policy_secure_transport():
    """S3 bucket policies: evaluate aws:SecureTransport like AWS does.

    moto 5.2.1 evaluates bucket policies without request context and knows
    only the StringEquals condition operator; every other operator (Bool
    among them) counts as met, and a statement whose condition is not met
    is DENIED instead of not applying. Together that makes the standard
    TLS-only policy (Deny s3:* when aws:SecureTransport is "false") deny
    every request. This patch adds the Bool operator, gives bucket policies
    the context key aws:SecureTransport = "true" (the emulator serves HTTPS
    only), and makes a statement whose condition is not met neutral, as on
    AWS. Trust policies are unaffected: they still need an explicit Allow.
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
        return policy.is_action_permitted(action, resource, None, {"aws:SecureTransport": "true"})

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
    patch_security_group_rule_description,
    patch_rds_modify_db_subnet_group,
    patch_elbv2_default_scheme,
    patch_ec2_dependency_violation,
]


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
    from moto.server import main as moto_main

    # Loopback only, always; HTTPS like AWS (aws:SecureTransport holds).
    moto_main(["--host", "127.0.0.1", "--port", port, "--ssl-cert", cert, "--ssl-key", key])


if __name__ == "__main__":
    main()
