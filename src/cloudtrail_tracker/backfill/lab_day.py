"""A generated "class lab day" of CloudTrail log files, with the ground truth of who left what running.

Twelve to twenty students of a class account sign in between 13:00 and 17:00 UTC, launch, stop,
resize and terminate EC2 instances, and one each creates an RDS database, a NAT gateway, an S3
bucket; some allocate Elastic IPs, create EBS volumes and Lambda functions. Some clean up, some
stop, some forget. A few calls fail (a forbidden instance type, a forbidden DB class: ``errorCode``,
``responseElements: null``, nothing created). Around that, the Describe*/List*/Get* polling of the
console and the CLI, and sign-ins.

The files carry the delivery quirks of real trails: one file is delivered twice (the same bytes
under an organization-trail key as well), and one file is delivered late, after the next one, so a
TerminateInstances arrives before the RunInstances of its instance.

    from cloudtrail_tracker.backfill.lab_day import generate_lab_day
    lab = generate_lab_day(out_dir, day=date(2025, 3, 6))
    lab.resources  # ExpectedResource per resource created, with its creator and end-of-day state

    python -m cloudtrail_tracker.backfill.lab_day --out build/lab-day --day 2025-03-06

Record shapes: the EC2 instance calls and CreateDBInstance are trimmed copies of the real records in
samples/ (panther, awsdocs), named at each template; the others follow AWS's documented CloudTrail
and API response shapes. Pure Python, no AWS calls; deterministic under ``seed``.
"""

from __future__ import annotations

import argparse
import gzip
import json
import random
import uuid
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

ORGANIZATION_ID = "o-1234abcde"  # the organization trail's prefix of the duplicate delivery
CLASS_START_HOUR = 13
CLASS_HOURS = 4
WINDOW_MINUTES = 5  # CloudTrail writes about one file per 5 minutes of events
ALLOWED_TYPES = ("t2.micro", "t3.micro", "t3.small", "t3.medium")
FORBIDDEN_TYPES = ("p3.2xlarge", "g5.xlarge", "c5.4xlarge")
RESIZE_TYPE = "t3.large"
AMIS = ("ami-0c02fb55956c7d316", "ami-05fa00d4c63e32376", "ami-0a3c3a20c09d6f377")
ZONES = ("a", "b", "c", "d")
SSO_PERMISSION_SET = "AWSReservedSSO_StudentLab_5f0c3a7e1b2d4c6a"
INSTRUCTOR_PERMISSION_SET = "AWSReservedSSO_AdministratorAccess_9a8b7c6d5e4f3a2b"
LAB_ROLE = "LabRole"
SSO_NAMES = ("maria.garcia", "li.wei", "amara.okafor", "jonas.berg", "priya.nair")
STATE_CODES = {"pending": 0, "running": 16, "shutting-down": 32, "terminated": 48, "stopping": 64, "stopped": 80}
CONSOLE_BROWSER = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/122.0.0.0 Safari/537.36"
CLI_AGENT = "aws-cli/2.15.30 Python/3.11.8 Linux/6.1.79-99.164.amzn2023.x86_64 exe/x86_64.amzn.2023 prompt/off command/{command}"


@dataclass(frozen=True)
class ExpectedResource:
    """One resource created that day, as CloudTrail-Tracker should report it at the end of the day."""

    resource_type: str  # "ec2-instance", "rds-instance", "nat-gateway", "elastic-ip", "ebs-volume", "s3-bucket", "lambda-function"
    resource_id: str  # i-..., db identifier, nat-..., eipalloc-..., vol-..., bucket name, function name
    region: str
    account: str
    creator: str  # the actor name identity.resolve_actor gives the create record's userIdentity
    state: str  # "running" | "stopped" | "deleted" at the end of the day
    attributes: dict
    created_at: str  # the create record's eventTime


@dataclass(frozen=True)
class LabDay:
    paths: list[Path]  # every file written, the duplicate delivery included
    resources: list[ExpectedResource]  # ground truth for every resource created successfully
    failed_creates: int
    records: int  # records written, not counting the duplicate delivery


@dataclass(frozen=True)
class Person:
    """One member of the class and how their calls look."""

    name: str  # what resolve_actor shows for ``identity``
    identity: dict
    console: bool  # console session (browser, session credentials) or the CLI
    ip: str


@dataclass
class _Event:
    at: datetime
    record: dict


@dataclass
class _Day:
    """What the scenario produced so far: records, ground truth and the windows that need ordering."""

    events: list[_Event] = field(default_factory=list)
    resources: list[ExpectedResource] = field(default_factory=list)
    failed_creates: int = 0
    late_window: int | None = None  # this window's file is delivered after the next window's


def _iso(at: datetime) -> str:
    return at.strftime("%Y-%m-%dT%H:%M:%SZ")


def _epoch_ms(at: datetime) -> int:
    return int(at.timestamp() * 1000)


class _Records:
    """Builds real-shaped records; every random choice comes from ``rng`` so a seed gives the same day."""

    def __init__(self, rng: random.Random, account: str, region: str):
        self.rng = rng
        self.account = account
        self.region = region
        self.vpc = self.hex_id("vpc")
        self.subnets = [self.hex_id("subnet") for _ in ZONES]
        self.security_group = self.hex_id("sg")

    def uuid4(self) -> str:
        return str(uuid.UUID(int=self.rng.getrandbits(128), version=4))

    def hex_id(self, prefix: str) -> str:
        return f"{prefix}-{self.rng.getrandbits(68):017x}"

    def encoded_failure(self) -> str:
        """An opaque blob like the one sts:DecodeAuthorizationMessage decodes."""
        return "".join(self.rng.choice(_BASE64) for _ in range(240))

    def s3_request_id(self) -> str:
        return f"{self.rng.getrandbits(64):016X}"  # S3 request IDs are 16 hex digits, not UUIDs

    def zone(self) -> str:
        return f"{self.region}{self.rng.choice(ZONES)}"

    def base(self, person: Person, at: datetime, source: str, name: str, *, read_only: bool, command: str = "",
             console_agent: str = "") -> dict:
        service = source.split(".", 1)[0]
        if person.console:
            agent = console_agent or ("console.ec2.amazonaws.com" if service == "ec2" else "console.amazonaws.com")
        else:
            agent = CLI_AGENT.format(command=command or f"{service}.{name.lower()}")
        request_id = self.uuid4()
        record = {
            "eventVersion": "1.08", "userIdentity": person.identity, "eventTime": _iso(at), "eventSource": source,
            "eventName": name, "awsRegion": self.region, "sourceIPAddress": person.ip, "userAgent": agent,
            "requestParameters": None, "responseElements": None, "requestID": request_id, "eventID": self.uuid4(),
            "readOnly": read_only, "eventType": "AwsApiCall", "managementEvent": True,
            "recipientAccountId": self.account, "eventCategory": "Management",
            "tlsDetails": {"tlsVersion": "TLSv1.3", "cipherSuite": "TLS_AES_128_GCM_SHA256",
                           "clientProvidedHostHeader": f"{service}.{self.region}.amazonaws.com"},
        }
        if person.console:
            record["sessionCredentialFromConsole"] = "true"
        return record

    def failed(self, record: dict, code: str, message: str) -> dict:
        """A failed call as AWS writes it: errorCode and errorMessage after userAgent, responseElements null."""
        ordered: dict = {}
        for key, value in record.items():
            ordered[key] = value
            if key == "userAgent":
                ordered["errorCode"], ordered["errorMessage"] = code, message
        ordered["responseElements"] = None
        return ordered

    # Template: panther/panther_cloudtrail_test_logs.ndjson "Successful Unusual EC2" RunInstances (eventVersion 1.10),
    # trimmed of its EKS node group fields; requestParameters.instancesSet.items carry imageId as a console launch does.
    def run_instances(self, person: Person, at: datetime, instance_type: str, name: str) -> tuple[dict, str]:
        instance_id, zone, image = self.hex_id("i"), self.zone(), self.rng.choice(AMIS)
        subnet = self.subnets[ZONES.index(zone[-1])]
        private_ip = f"172.31.{self.rng.randrange(0, 64)}.{self.rng.randrange(4, 250)}"
        dns = f"ip-{private_ip.replace('.', '-')}.ec2.internal"
        tags = {"items": [{"resourceType": "instance", "tags": [{"key": "Name", "value": name}]}]}
        record = self.base(person, at, "ec2.amazonaws.com", "RunInstances", read_only=False, command="ec2.run-instances")
        record["requestParameters"] = {
            "instancesSet": {"items": [{"imageId": image, "minCount": 1, "maxCount": 1, "keyName": f"{name}-key"}]},
            "instanceType": instance_type, "blockDeviceMapping": {}, "monitoring": {"enabled": False},
            "disableApiTermination": False, "disableApiStop": False, "clientToken": self.uuid4(),
            "subnetId": subnet, "tagSpecificationSet": tags,
        }
        record["responseElements"] = {
            "requestId": record["requestID"], "reservationId": self.hex_id("r"), "ownerId": self.account, "groupSet": {},
            "instancesSet": {"items": [{
                "instanceId": instance_id, "imageId": image, "instanceState": {"code": 0, "name": "pending"},
                "privateDnsName": dns, "keyName": f"{name}-key", "amiLaunchIndex": 0, "productCodes": {},
                "instanceType": instance_type, "launchTime": _epoch_ms(at),
                "placement": {"availabilityZone": zone, "tenancy": "default"}, "monitoring": {"state": "disabled"},
                "subnetId": subnet, "vpcId": self.vpc, "privateIpAddress": private_ip,
                "stateReason": {"code": "pending", "message": "pending"}, "architecture": "x86_64",
                "rootDeviceType": "ebs", "rootDeviceName": "/dev/xvda", "blockDeviceMapping": {},
                "virtualizationType": "hvm", "hypervisor": "xen",
                "groupSet": {"items": [{"groupId": self.security_group, "groupName": "launch-wizard-1"}]},
                "sourceDestCheck": True, "ebsOptimized": False, "enaSupport": True,
                "cpuOptions": {"coreCount": 1, "threadsPerCore": 2},
                "capacityReservationSpecification": {"capacityReservationPreference": "open"},
                "enclaveOptions": {"enabled": False}, "bootMode": "uefi-preferred",
                "metadataOptions": {"state": "pending", "httpTokens": "required", "httpPutResponseHopLimit": 2,
                                    "httpEndpoint": "enabled", "httpProtocolIpv4": "enabled",
                                    "httpProtocolIpv6": "disabled", "instanceMetadataTags": "disabled"},
                "maintenanceOptions": {"autoRecovery": "default"},
                "privateDnsNameOptions": {"hostnameType": "ip-name", "enableResourceNameDnsARecord": False,
                                          "enableResourceNameDnsAAAARecord": False},
                "tagSet": {"items": [{"key": "Name", "value": name}]},
            }]},
        }
        return record, instance_id

    # Templates: awsdocs StopInstances / StartInstances (CloudTrail log file examples) and panther
    # "Terminate Instance from AssumedRole" TerminateInstances: instancesSet items with current and previous state.
    def instance_state_change(self, person: Person, at: datetime, name: str, instance_id: str, previous: str,
                              current: str) -> dict:
        command = {"StopInstances": "ec2.stop-instances", "StartInstances": "ec2.start-instances"}.get(name, "ec2.terminate-instances")
        record = self.base(person, at, "ec2.amazonaws.com", name, read_only=False, command=command)
        record["requestParameters"] = {"instancesSet": {"items": [{"instanceId": instance_id}]}}
        if name == "StopInstances":
            record["requestParameters"]["force"] = False
        record["responseElements"] = {"requestId": record["requestID"], "instancesSet": {"items": [{
            "instanceId": instance_id, "currentState": {"code": STATE_CODES[current], "name": current},
            "previousState": {"code": STATE_CODES[previous], "name": previous}}]}}
        return record

    # Template: panther "ModifyInstanceAttributeUserdata", with the instance type change of the API's documented
    # InstanceType attribute ({"value": ...}) instead of userData.
    def modify_instance_type(self, person: Person, at: datetime, instance_id: str, instance_type: str) -> dict:
        record = self.base(person, at, "ec2.amazonaws.com", "ModifyInstanceAttribute", read_only=False,
                           command="ec2.modify-instance-attribute")
        record["requestParameters"] = {"instanceId": instance_id, "instanceType": {"value": instance_type}}
        record["responseElements"] = {"requestId": record["requestID"], "_return": True}
        return record

    # CreateVolume / DeleteVolume: the EC2 API's documented CreateVolume response (sizes as the Query API's strings).
    def create_volume(self, person: Person, at: datetime, size: int, volume_type: str) -> tuple[dict, str]:
        volume_id, zone = self.hex_id("vol"), self.zone()
        record = self.base(person, at, "ec2.amazonaws.com", "CreateVolume", read_only=False, command="ec2.create-volume")
        record["requestParameters"] = {"size": str(size), "zone": zone, "volumeType": volume_type, "encrypted": False}
        record["responseElements"] = {
            "requestId": record["requestID"], "volumeId": volume_id, "size": str(size), "zone": zone, "status": "creating",
            "createTime": _epoch_ms(at), "volumeType": volume_type, "iops": 3000, "encrypted": False,
            "multiAttachEnabled": False, "throughput": 125,
        }
        return record, volume_id

    def delete_volume(self, person: Person, at: datetime, volume_id: str) -> dict:
        record = self.base(person, at, "ec2.amazonaws.com", "DeleteVolume", read_only=False, command="ec2.delete-volume")
        record["requestParameters"] = {"volumeId": volume_id}
        record["responseElements"] = {"requestId": record["requestID"], "_return": True}
        return record

    # AllocateAddress / ReleaseAddress: the EC2 API's documented AllocateAddress response.
    def allocate_address(self, person: Person, at: datetime) -> tuple[dict, str]:
        allocation_id = self.hex_id("eipalloc")
        record = self.base(person, at, "ec2.amazonaws.com", "AllocateAddress", read_only=False, command="ec2.allocate-address")
        record["requestParameters"] = {"domain": "vpc"}
        record["responseElements"] = {
            "requestId": record["requestID"], "publicIp": f"54.{self.rng.randrange(80, 240)}.{self.rng.randrange(256)}."
            f"{self.rng.randrange(1, 255)}", "domain": "vpc", "allocationId": allocation_id,
            "publicIpv4Pool": "amazon", "networkBorderGroup": self.region,
        }
        return record, allocation_id

    def release_address(self, person: Person, at: datetime, allocation_id: str) -> dict:
        record = self.base(person, at, "ec2.amazonaws.com", "ReleaseAddress", read_only=False, command="ec2.release-address")
        record["requestParameters"] = {"allocationId": allocation_id}
        record["responseElements"] = {"requestId": record["requestID"], "_return": True}
        return record

    # CreateNatGateway / DeleteNatGateway: CloudTrail writes these EC2 Query API calls XML-wrapped, request and
    # response both, under CreateNatGatewayRequest / CreateNatGatewayResponse (capitalised as in the XML).
    def create_nat_gateway(self, person: Person, at: datetime, allocation_id: str) -> tuple[dict, str]:
        nat_id, token = self.hex_id("nat"), self.uuid4()
        subnet = self.subnets[0]
        record = self.base(person, at, "ec2.amazonaws.com", "CreateNatGateway", read_only=False, command="ec2.create-nat-gateway")
        record["requestParameters"] = {"CreateNatGatewayRequest": {"SubnetId": subnet, "AllocationId": allocation_id,
                                                                   "ClientToken": token}}
        record["responseElements"] = {"CreateNatGatewayResponse": {
            "xmlns": "http://ec2.amazonaws.com/doc/2016-11-15/", "requestId": record["requestID"], "clientToken": token,
            "natGateway": {"createTime": _iso(at), "natGatewayAddressSet": {"item": {
                "allocationId": allocation_id, "isPrimary": True, "status": "associating"}},
                "natGatewayId": nat_id, "state": "pending", "subnetId": subnet, "vpcId": self.vpc,
                "connectivityType": "public"}}}
        return record, nat_id

    def delete_nat_gateway(self, person: Person, at: datetime, nat_id: str) -> dict:
        record = self.base(person, at, "ec2.amazonaws.com", "DeleteNatGateway", read_only=False, command="ec2.delete-nat-gateway")
        record["requestParameters"] = {"DeleteNatGatewayRequest": {"NatGatewayId": nat_id}}
        record["responseElements"] = {"DeleteNatGatewayResponse": {
            "xmlns": "http://ec2.amazonaws.com/doc/2016-11-15/", "requestId": record["requestID"], "natGatewayId": nat_id}}
        return record

    # Template: panther "Not-Restore-RDS-Request" CreateDBInstance, trimmed; multiAZ in the request as the API takes it.
    def db_instance(self, identifier: str, db_class: str, status: str) -> dict:
        return {
            "dBInstanceIdentifier": identifier, "dBInstanceClass": db_class, "engine": "mysql", "engineVersion": "8.0.35",
            "dBInstanceStatus": status, "masterUsername": "admin", "allocatedStorage": 20, "multiAZ": False,
            "preferredBackupWindow": "07:12-07:42", "backupRetentionPeriod": 1, "dBSecurityGroups": [],
            "vpcSecurityGroups": [{"vpcSecurityGroupId": self.security_group, "status": "active"}],
            "dBParameterGroups": [{"dBParameterGroupName": "default.mysql8.0", "parameterApplyStatus": "in-sync"}],
            "dBSubnetGroup": {"dBSubnetGroupName": "default", "dBSubnetGroupDescription": "default", "vpcId": self.vpc,
                              "subnetGroupStatus": "Complete", "subnets": [
                                  {"subnetIdentifier": subnet, "subnetAvailabilityZone": {"name": f"{self.region}{zone}"},
                                   "subnetStatus": "Active"} for subnet, zone in zip(self.subnets, ZONES)]},
            "preferredMaintenanceWindow": "sun:04:15-sun:04:45", "pendingModifiedValues": {"masterUserPassword": "****"},
            "autoMinorVersionUpgrade": True, "readReplicaDBInstanceIdentifiers": [], "licenseModel": "general-public-license",
            "optionGroupMemberships": [{"optionGroupName": "default:mysql-8-0", "status": "in-sync"}],
            "publiclyAccessible": False, "storageType": "gp2", "dbInstancePort": 0, "storageEncrypted": False,
            "dbiResourceId": f"db-{''.join(self.rng.choice('ABCDEFGHIJKLMNOPQRSTUVWXYZ234567') for _ in range(26))}",
            "cACertificateIdentifier": "rds-ca-rsa2048-g1", "domainMemberships": [], "copyTagsToSnapshot": False,
            "monitoringInterval": 0, "dBInstanceArn": f"arn:aws:rds:{self.region}:{self.account}:db:{identifier}",
            "iAMDatabaseAuthenticationEnabled": False, "performanceInsightsEnabled": False,
        }

    def create_db_instance(self, person: Person, at: datetime, identifier: str, db_class: str, multi_az: bool) -> dict:
        record = self.base(person, at, "rds.amazonaws.com", "CreateDBInstance", read_only=False, command="rds.create-db-instance")
        record["requestParameters"] = {
            "dBInstanceIdentifier": identifier, "allocatedStorage": 20, "dBInstanceClass": db_class, "engine": "mysql",
            "masterUsername": "admin", "masterUserPassword": "****", "multiAZ": multi_az, "publiclyAccessible": False,
            "storageType": "gp2",
        }
        record["responseElements"] = self.db_instance(identifier, db_class, "creating")
        return record

    def db_instance_call(self, person: Person, at: datetime, name: str, identifier: str, db_class: str) -> dict:
        """StopDBInstance, StartDBInstance or DeleteDBInstance: the identifier in, the DB instance out."""
        command = {"StopDBInstance": "rds.stop-db-instance", "StartDBInstance": "rds.start-db-instance"}.get(name, "rds.delete-db-instance")
        record = self.base(person, at, "rds.amazonaws.com", name, read_only=False, command=command)
        record["requestParameters"] = {"dBInstanceIdentifier": identifier}
        if name == "DeleteDBInstance":
            record["requestParameters"].update(skipFinalSnapshot=True, deleteAutomatedBackups=True)
        status = {"StopDBInstance": "stopping", "StartDBInstance": "starting"}.get(name, "deleting")
        record["responseElements"] = self.db_instance(identifier, db_class, status)
        return record

    # CreateBucket: S3 writes the bucket and the Host header it was sent to, and null responseElements; the
    # console's user agent arrives bracketed (GorillaStack/auto-tag issue #99).
    def create_bucket(self, person: Person, at: datetime, bucket: str) -> dict:
        record = self.base(person, at, "s3.amazonaws.com", "CreateBucket", read_only=False, command="s3api.create-bucket",
                           console_agent=f"[{CONSOLE_BROWSER}]")
        record["requestID"] = self.s3_request_id()
        record["requestParameters"] = {"bucketName": bucket, "Host": f"{bucket}.s3.amazonaws.com"}
        record["additionalEventData"] = {"SignatureVersion": "SigV4", "CipherSuite": "TLS_AES_128_GCM_SHA256",
                                         "bytesTransferredIn": 0, "AuthenticationMethod": "AuthHeader",
                                         "x-amz-id-2": self.uuid4().replace("-", ""), "bytesTransferredOut": 0}
        record["tlsDetails"]["clientProvidedHostHeader"] = f"{bucket}.s3.amazonaws.com"
        return record

    # CreateFunction20150331 / DeleteFunction20150331: Lambda's documented CreateFunction response (FunctionConfiguration).
    def create_function(self, person: Person, at: datetime, function: str) -> dict:
        role = f"arn:aws:iam::{self.account}:role/{LAB_ROLE}"
        record = self.base(person, at, "lambda.amazonaws.com", "CreateFunction20150331", read_only=False,
                           command="lambda.create-function")
        record["requestParameters"] = {"functionName": function, "runtime": "python3.12", "role": role,
                                       "handler": "lambda_function.lambda_handler", "code": {}, "timeout": 3,
                                       "memorySize": 128, "publish": False, "architectures": ["x86_64"]}
        record["responseElements"] = {
            "functionName": function, "functionArn": f"arn:aws:lambda:{self.region}:{self.account}:function:{function}",
            "runtime": "python3.12", "role": role, "handler": "lambda_function.lambda_handler", "codeSize": 299,
            "description": "", "timeout": 3, "memorySize": 128, "lastModified": at.strftime("%Y-%m-%dT%H:%M:%S.000+0000"),
            "codeSha256": "".join(self.rng.choice("0123456789abcdef") for _ in range(43)) + "=", "version": "$LATEST",
            "tracingConfig": {"mode": "PassThrough"}, "revisionId": self.uuid4(), "state": "Pending",
            "stateReason": "The function is being created.", "stateReasonCode": "Creating", "packageType": "Zip",
            "architectures": ["x86_64"], "ephemeralStorage": {"size": 512},
        }
        return record

    def delete_function(self, person: Person, at: datetime, function: str) -> dict:
        record = self.base(person, at, "lambda.amazonaws.com", "DeleteFunction20150331", read_only=False,
                           command="lambda.delete-function")
        record["requestParameters"] = {"functionName": function}
        return record

    # Template: awsdocs ConsoleLogin (console sign-in events): no requestID, eventType AwsConsoleSignIn.
    def console_login(self, person: Person, at: datetime) -> dict:
        identity = {k: v for k, v in person.identity.items() if k not in ("accessKeyId", "sessionContext")}
        if person.identity.get("type") == "AssumedRole":
            identity["sessionContext"] = person.identity["sessionContext"]
        return {
            "eventVersion": "1.08", "userIdentity": identity, "eventTime": _iso(at), "eventSource": "signin.amazonaws.com",
            "eventName": "ConsoleLogin", "awsRegion": self.region, "sourceIPAddress": person.ip, "userAgent": CONSOLE_BROWSER,
            "requestParameters": None, "responseElements": {"ConsoleLogin": "Success"},
            "additionalEventData": {"LoginTo": "https://console.aws.amazon.com/console/home", "MobileVersion": "No",
                                    "MFAUsed": "No"},
            "eventID": self.uuid4(), "readOnly": False, "eventType": "AwsConsoleSignIn", "managementEvent": True,
            "recipientAccountId": self.account, "eventCategory": "Management",
        }

    def read_call(self, person: Person, at: datetime) -> dict:
        """Background noise: a Describe*/List*/Get* call as the console or the CLI polls; read-only calls
        log null responseElements."""
        source, name, parameters = self.rng.choice(_READ_CALLS)
        record = self.base(person, at, source, name, read_only=True)
        record["requestParameters"] = json.loads(json.dumps(parameters)) if parameters is not None else None
        if source == "s3.amazonaws.com":
            record["requestID"] = self.s3_request_id()
        if source in ("iam.amazonaws.com", "s3.amazonaws.com"):  # global endpoints
            record["tlsDetails"]["clientProvidedHostHeader"] = source
        return record


_BASE64 = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
# (eventSource, eventName, requestParameters) of the reads a class account sees, weighted by repetition.
_READ_CALLS: tuple[tuple[str, str, dict | None], ...] = (
    ("ec2.amazonaws.com", "DescribeInstances", {"instancesSet": {}, "filterSet": {}}),
    ("ec2.amazonaws.com", "DescribeInstances", {"instancesSet": {}, "filterSet": {}}),
    ("ec2.amazonaws.com", "DescribeInstances", {"maxResults": 50, "instancesSet": {}, "filterSet": {}}),
    ("ec2.amazonaws.com", "DescribeInstanceStatus", {"instancesSet": {}, "filterSet": {}, "includeAllInstances": True}),
    ("ec2.amazonaws.com", "DescribeVolumes", {"volumeSet": {}, "filterSet": {}}),
    ("ec2.amazonaws.com", "DescribeAddresses", {"publicIpsSet": {}, "allocationIdsSet": {}, "filterSet": {}}),
    ("ec2.amazonaws.com", "DescribeSecurityGroups", {"securityGroupSet": {}, "securityGroupIdSet": {}, "filterSet": {}}),
    ("ec2.amazonaws.com", "DescribeVpcs", {"vpcSet": {}, "filterSet": {}}),
    ("ec2.amazonaws.com", "DescribeSubnets", {"subnetSet": {}, "filterSet": {}}),
    ("ec2.amazonaws.com", "DescribeKeyPairs", {"keySet": {}, "keyPairIdSet": {}, "filterSet": {}}),
    ("ec2.amazonaws.com", "DescribeImages", {"executableBySet": {}, "imagesSet": {}, "ownersSet": {"items": [{"owner": "amazon"}]},
                                             "filterSet": {}}),
    ("ec2.amazonaws.com", "DescribeAvailabilityZones", {"availabilityZoneSet": {}, "availabilityZoneIdSet": {}}),
    ("ec2.amazonaws.com", "DescribeNatGateways", {"DescribeNatGatewaysRequest": {}}),
    ("rds.amazonaws.com", "DescribeDBInstances", None),
    ("rds.amazonaws.com", "DescribeDBEngineVersions", {"engine": "mysql"}),
    ("s3.amazonaws.com", "ListBuckets", {"Host": "s3.amazonaws.com"}),
    ("lambda.amazonaws.com", "ListFunctions20150331", None),
    ("sts.amazonaws.com", "GetCallerIdentity", None),
    ("iam.amazonaws.com", "GetUser", None),
    ("iam.amazonaws.com", "ListRoles", None),
    ("cloudwatch.amazonaws.com", "GetMetricData", None),
)


def _iam_user(account: str, name: str, *, console: bool, signed_in: datetime) -> dict:
    identity: dict = {"type": "IAMUser", "principalId": f"AIDA{name.upper():X<17}"[:21], "arn": f"arn:aws:iam::{account}:user/{name}",
                      "accountId": account, "accessKeyId": ("ASIA" if console else "AKIA") + f"{name.upper():Y<16}"[:16],
                      "userName": name}
    if console:  # console calls use session credentials of the sign-in
        identity["sessionContext"] = {"sessionIssuer": {}, "webIdFederationData": {},
                                      "attributes": {"creationDate": _iso(signed_in), "mfaAuthenticated": "false"}}
    return identity


def _role_session(account: str, role: str, session: str, *, path: str, signed_in: datetime) -> dict:
    role_id = f"AROA{role.upper().replace('_', ''):Z<17}"[:21]
    return {
        "type": "AssumedRole", "principalId": f"{role_id}:{session}", "arn": f"arn:aws:sts::{account}:assumed-role/{role}/{session}",
        "accountId": account, "accessKeyId": f"ASIA{session.upper().replace('.', '').replace('@', ''):Q<16}"[:20],
        "sessionContext": {
            "sessionIssuer": {"type": "Role", "principalId": role_id, "arn": f"arn:aws:iam::{account}:role/{path}{role}",
                              "accountId": account, "userName": role},
            "webIdFederationData": {}, "attributes": {"creationDate": _iso(signed_in), "mfaAuthenticated": "false"},
        },
    }


def class_cast(account: str, students: int, rng: random.Random, class_start: datetime) -> tuple[list[Person], Person]:
    """The students (IAM users on the console or the CLI, SSO sessions, one lab role session) and the instructor."""
    people = []
    for number in range(1, students + 1):
        signed_in = class_start + timedelta(minutes=rng.randrange(0, 20), seconds=rng.randrange(60))
        ip = f"198.51.100.{rng.randrange(2, 254)}"
        if number == students:  # the lab role: a session name the caller chose, so the actor is qualified
            session = f"student{number:02d}"
            identity = _role_session(account, LAB_ROLE, session, path="", signed_in=signed_in)
            people.append(Person(f"{LAB_ROLE}:{session}@{account}", identity, console=False, ip=ip))
        elif number % 5 == 0:  # Identity Center: the session name is the signed-in user's e-mail
            email = f"{SSO_NAMES[(number // 5 - 1) % len(SSO_NAMES)]}@students.example.edu"
            identity = _role_session(account, SSO_PERMISSION_SET, email, path="aws-reserved/sso.amazonaws.com/", signed_in=signed_in)
            people.append(Person(email, identity, console=True, ip=ip))
        else:
            name = f"student{number:02d}"
            console = number % 4 != 3
            people.append(Person(name, _iam_user(account, name, console=console, signed_in=signed_in), console=console, ip=ip))
    instructor_identity = _role_session(account, INSTRUCTOR_PERMISSION_SET, "instructor@example.edu",
                                        path="aws-reserved/sso.amazonaws.com/", signed_in=class_start)
    return people, Person("instructor@example.edu", instructor_identity, console=True, ip="192.0.2.10")


class _Scenario:
    """The class's actions through the afternoon, and what each leaves behind."""

    def __init__(self, rng: random.Random, records: _Records, start: datetime, instructor: Person):
        self.rng = rng
        self.instructor = instructor
        self.make = records
        self.start = start
        self.end = start + timedelta(hours=CLASS_HOURS)
        self.day = _Day()

    def at(self, low_minutes: float, high_minutes: float) -> datetime:
        return self.start + timedelta(seconds=self.rng.uniform(low_minutes * 60, high_minutes * 60))

    def before_end(self, at: datetime) -> datetime:
        """``at``, or a time in the last minutes of class for a follow-up that would fall after it."""
        latest = self.end - timedelta(minutes=10)
        return at if at < latest else latest + timedelta(seconds=self.rng.uniform(0, 300))

    def emit(self, at: datetime, record: dict, person: Person | None = None, polls: int = 0) -> None:
        self.day.events.append(_Event(at, record))
        for _ in range(polls):  # the console refreshes its lists after a change
            poll_at = min(at + timedelta(seconds=self.rng.uniform(1, 90)), self.end - timedelta(seconds=1))
            assert person is not None
            self.day.events.append(_Event(poll_at, self.make.read_call(person, poll_at)))

    def created(self, kind: str, resource_id: str, person: Person, record: dict, state: str, attributes: dict) -> None:
        self.day.resources.append(ExpectedResource(kind, resource_id, self.make.region, self.make.account, person.name,
                                                   state, attributes, record["eventTime"]))

    def failed_create(self, record: dict, code: str, message: str, at: datetime, person: Person) -> None:
        self.day.failed_creates += 1
        self.emit(at, self.make.failed(record, code, message), person, polls=1)

    def instance(self, person: Person, outcome: str, launched: datetime, *, quick: bool = False) -> None:
        make = self.make
        instance_type = self.rng.choice(ALLOWED_TYPES)
        name = person.name.split("@")[0].split(":")[-1]
        run, instance_id = make.run_instances(person, launched, instance_type, f"{name}-web")
        self.emit(launched, run, person, polls=3)
        state, final_type = "running", instance_type
        if outcome == "terminate":
            gone = launched + timedelta(minutes=self.rng.uniform(3.5, 4.5)) if quick else \
                self.before_end(launched + timedelta(minutes=self.rng.uniform(20, 150)))
            self.emit(gone, make.instance_state_change(person, gone, "TerminateInstances", instance_id, "running", "shutting-down"),
                      person, 2)
            state = "deleted"
        elif outcome in ("stop", "resize", "stop-terminate"):
            stopped = launched + timedelta(minutes=self.rng.uniform(15, 90))
            self.emit(stopped, make.instance_state_change(person, stopped, "StopInstances", instance_id, "running", "stopping"),
                      person, 2)
            state = "stopped"
            if outcome == "resize":  # a stopped instance can change type, then start again
                resized = stopped + timedelta(minutes=self.rng.uniform(3, 10))
                self.emit(resized, make.modify_instance_type(person, resized, instance_id, RESIZE_TYPE), person, 1)
                started = resized + timedelta(minutes=self.rng.uniform(1, 5))
                self.emit(started, make.instance_state_change(person, started, "StartInstances", instance_id, "stopped", "pending"),
                          person, 2)
                state, final_type = "running", RESIZE_TYPE
            elif outcome == "stop-terminate":  # the instructor cleans up what was left stopped
                cleaned = self.end - timedelta(minutes=self.rng.uniform(3, 8))
                self.emit(cleaned, make.instance_state_change(self.instructor, cleaned, "TerminateInstances", instance_id,
                                                              "stopped", "terminated"), self.instructor, 1)
                state = "deleted"
        self.created("ec2-instance", instance_id, person, run, state, {"instanceType": final_type})

    def run(self, people: list[Person]) -> _Day:
        rng, make, instructor = self.rng, self.make, self.instructor
        for person in people + [instructor]:
            if person.console:
                signed_in = datetime.strptime(person.identity.get("sessionContext", {}).get("attributes", {}).get(
                    "creationDate", _iso(self.start)), "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=UTC)
                self.emit(signed_in, make.console_login(person, signed_in))
        # Fixed roles so every case is in every day; the rest of the class draws its outcomes.
        order = list(range(len(people)))
        rng.shuffle(order)
        quick, forgot, stopper, resizer, cleaned, rds, nat, bucket = (people[i] for i in order[:8])
        lambdas = [people[i] for i in order[8:10]]
        volumes = [people[i] for i in order[2:5]]
        addresses = [people[i] for i in order[5:8]]
        forbidden = [people[i] for i in rng.sample(order, 3)]

        for person in forbidden:  # tried a GPU or large type first: denied, nothing created
            at = self.at(12, 40)
            record, _ = make.run_instances(person, at, rng.choice(FORBIDDEN_TYPES), "gpu-test")
            self.failed_create(record, "Client.UnauthorizedOperation",
                               "You are not authorized to perform this operation. User: " + person.identity["arn"] +
                               " is not authorized to perform: ec2:RunInstances on resource: arn:aws:ec2:" + make.region +
                               ":" + make.account + ":instance/* because no identity-based policy allows the action. "
                               "Encoded authorization failure message: " + make.encoded_failure(), at, person)

        # The quick terminator's RunInstances falls in one window and its TerminateInstances in the next; that
        # window's file is delivered late, after the next one.
        quick_launch = self.start + timedelta(minutes=WINDOW_MINUTES * 9 + rng.uniform(2.2, 2.8))
        self.instance(quick, "terminate", quick_launch, quick=True)
        self.day.late_window = 9
        self.instance(forgot, "running", self.at(15, 60))
        self.instance(stopper, "stop", self.at(15, 60))
        self.instance(resizer, "resize", self.at(15, 60))
        self.instance(cleaned, "stop-terminate", self.at(15, 60))
        for person in people:
            if person in (quick, forgot, stopper, resizer, cleaned):
                continue
            for _ in range(rng.choice((1, 1, 1, 2))):
                self.instance(person, rng.choice(("terminate", "terminate", "stop", "running", "resize")), self.at(15, 120))

        self.database(rds)
        self.nat_gateway(nat)
        self.bucket(bucket)
        for index, person in enumerate(volumes):
            self.volume(person, delete=index == 0)
        for index, person in enumerate(addresses):
            self.address(person, release=index == 0)
        for index, person in enumerate(lambdas):
            self.function(person, delete=index == 0)
        self.noise(people + [instructor])
        return self.day

    def database(self, person: Person) -> None:
        make, identifier = self.make, f"{person.name.split('@')[0].replace('.', '-').replace(':', '-').lower()}-db"[-60:]
        tried = self.at(40, 60)  # multi-AZ and a big class first: denied by the class's policy
        denied = make.create_db_instance(person, tried, identifier, "db.r5.large", True)
        self.failed_create(denied, "AccessDenied", f"User: {person.identity['arn']} is not authorized to perform: "
                           f"rds:CreateDBInstance on resource: arn:aws:rds:{make.region}:{make.account}:db:{identifier} "
                           "with an explicit deny in an identity-based policy", tried, person)
        created = tried + timedelta(minutes=self.rng.uniform(2, 6))
        record = make.create_db_instance(person, created, identifier, "db.t3.micro", False)
        self.emit(created, record, person, polls=3)
        outcome = self.rng.choice(("running", "stopped", "deleted"))
        state = "running"
        if outcome in ("stopped", "deleted"):
            stopped = created + timedelta(minutes=self.rng.uniform(30, 60))
            self.emit(stopped, make.db_instance_call(person, stopped, "StopDBInstance", identifier, "db.t3.micro"), person, 2)
            state = "stopped"
            if outcome == "deleted":
                started = stopped + timedelta(minutes=self.rng.uniform(20, 40))
                self.emit(started, make.db_instance_call(person, started, "StartDBInstance", identifier, "db.t3.micro"), person, 1)
                gone = started + timedelta(minutes=self.rng.uniform(20, 40))
                self.emit(gone, make.db_instance_call(person, gone, "DeleteDBInstance", identifier, "db.t3.micro"), person, 2)
                state = "deleted"
        self.created("rds-instance", identifier, person, record, state, {"dBInstanceClass": "db.t3.micro", "multiAZ": "false"})

    def nat_gateway(self, person: Person) -> None:
        make = self.make
        allocated = self.at(60, 90)
        eip, allocation_id = make.allocate_address(person, allocated)
        self.emit(allocated, eip, person, polls=1)
        created = allocated + timedelta(minutes=self.rng.uniform(1, 4))
        record, nat_id = make.create_nat_gateway(person, created, allocation_id)
        self.emit(created, record, person, polls=2)
        deleted = self.rng.random() < 0.5
        if deleted:  # deleting the gateway, then releasing its address: both stop billing
            gone = created + timedelta(minutes=self.rng.uniform(40, 90))
            self.emit(gone, make.delete_nat_gateway(person, gone, nat_id), person, 1)
            released = gone + timedelta(minutes=self.rng.uniform(3, 10))
            self.emit(released, make.release_address(person, released, allocation_id), person, 1)
        self.created("elastic-ip", allocation_id, person, eip, "deleted" if deleted else "running", {"domain": "vpc"})
        self.created("nat-gateway", nat_id, person, record, "deleted" if deleted else "running", {"connectivityType": "public"})

    def bucket(self, person: Person) -> None:
        at = self.at(30, 150)
        name = f"{person.name.split('@')[0].replace('.', '-').replace(':', '-').lower()}-lab-{self.rng.getrandbits(24):06x}"[-63:]
        console = Person(person.name, person.identity, console=True, ip=person.ip)  # made in the S3 console
        record = self.make.create_bucket(console, at, name)
        self.emit(at, record, console, polls=2)
        self.created("s3-bucket", name, person, record, "running", {})

    def volume(self, person: Person, *, delete: bool) -> None:
        at = self.at(30, 150)
        size, volume_type = self.rng.choice((8, 10, 20, 100)), self.rng.choice(("gp3", "gp3", "gp2"))
        record, volume_id = self.make.create_volume(person, at, size, volume_type)
        self.emit(at, record, person, polls=2)
        if delete:
            gone = at + timedelta(minutes=self.rng.uniform(10, 60))
            self.emit(gone, self.make.delete_volume(person, gone, volume_id), person, 1)
        self.created("ebs-volume", volume_id, person, record, "deleted" if delete else "running",
                     {"size": str(size), "volumeType": volume_type})

    def address(self, person: Person, *, release: bool) -> None:
        at = self.at(30, 150)
        record, allocation_id = self.make.allocate_address(person, at)
        self.emit(at, record, person, polls=1)
        if release:
            gone = at + timedelta(minutes=self.rng.uniform(10, 60))
            self.emit(gone, self.make.release_address(person, gone, allocation_id), person, 1)
        self.created("elastic-ip", allocation_id, person, record, "deleted" if release else "running", {"domain": "vpc"})

    def function(self, person: Person, *, delete: bool) -> None:
        at = self.at(60, 170)
        name = f"{person.name.split('@')[0].replace('.', '-').replace(':', '-').lower()}-hello"[-64:]
        record = self.make.create_function(person, at, name)
        self.emit(at, record, person, polls=1)
        if delete:
            gone = at + timedelta(minutes=self.rng.uniform(5, 40))
            self.emit(gone, self.make.delete_function(person, gone, name), person, 1)
        self.created("lambda-function", name, person, record, "deleted" if delete else "running", {"runtime": "python3.12"})

    def noise(self, people: list[Person]) -> None:
        """Reads spread over each person's afternoon, the console polling more than the CLI."""
        for person in people:
            count = self.rng.randint(110, 160) if person.console else self.rng.randint(50, 90)
            for index in range(count):
                # Half spread evenly, half crowding the first hour and a half, when most of the lab happens.
                minutes = self.rng.uniform(1, CLASS_HOURS * 60 - 0.5) if index % 2 else \
                    self.rng.triangular(1, CLASS_HOURS * 60 - 0.5, 70)
                at = self.start + timedelta(minutes=minutes)
                self.day.events.append(_Event(at, self.make.read_call(person, at)))


def _window(at: datetime, start: datetime) -> int:
    return int((at - start).total_seconds() // (WINDOW_MINUTES * 60))


def _write(path: Path, body: bytes) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(body)
    return path


def generate_lab_day(out_dir: Path, *, day: date, account: str = "123456789012", region: str = "us-east-1",
                     students: int = 16, seed: int = 7) -> LabDay:
    """Write the lab day's log files under ``out_dir`` (``AWSLogs/...``) and return them with the ground truth."""
    if not 12 <= students <= 99:  # below 12 the fixed cases (one student each) do not fit; names are two digits
        raise ValueError("students must be between 12 and 99")
    rng = random.Random(seed)
    start = datetime(day.year, day.month, day.day, CLASS_START_HOUR, tzinfo=UTC)
    make = _Records(rng, account, region)
    people, instructor = class_cast(account, students, rng, start)
    lab = _Scenario(rng, make, start, instructor).run(people)

    windows: dict[int, list[_Event]] = {}
    for event in lab.events:
        windows.setdefault(min(_window(event.at, start), CLASS_HOURS * 60 // WINDOW_MINUTES - 1), []).append(event)
    folder = f"AWSLogs/{account}/CloudTrail/{region}/{day:%Y/%m/%d}/"
    out = Path(out_dir)
    paths, bodies, total = [], [], 0
    for index in sorted(windows):
        window_end = start + timedelta(minutes=WINDOW_MINUTES * (index + 1))
        delay = rng.randint(5, 10)
        if index == lab.late_window:
            delay = 12
        elif lab.late_window is not None and index == lab.late_window + 1:
            delay = 5  # delivered before the late file of the window before it
        delivered = window_end + timedelta(minutes=delay)
        records = [e.record for e in sorted(windows[index], key=lambda e: e.at)]
        total += len(records)
        body = gzip.compress(json.dumps({"Records": records}, separators=(",", ":")).encode(), compresslevel=6, mtime=0)
        name = f"{account}_CloudTrail_{region}_{delivered:%Y%m%dT%H%MZ}_{rng.getrandbits(64):016X}.json.gz"
        paths.append(_write(out / folder / name, body))
        bodies.append((delivered, body))
    # One file delivered twice: an organization trail and the account's own trail both log the account.
    twice = rng.choice([i for i in range(len(bodies)) if i != lab.late_window])
    delivered, body = bodies[twice]
    name = f"{account}_CloudTrail_{region}_{delivered:%Y%m%dT%H%MZ}_{rng.getrandbits(64):016X}.json.gz"
    paths.append(_write(out / f"AWSLogs/{ORGANIZATION_ID}/{account}/CloudTrail/{region}/{day:%Y/%m/%d}/" / name, body))
    return LabDay(paths=paths, resources=lab.resources, failed_creates=lab.failed_creates, records=total)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m cloudtrail_tracker.backfill.lab_day",
                                     description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument("--out", type=Path, required=True, help="directory to write the AWSLogs/ tree into")
    parser.add_argument("--day", type=date.fromisoformat, required=True, help="the class day, YYYY-MM-DD")
    parser.add_argument("--account", default="123456789012")
    parser.add_argument("--region", default="us-east-1")
    parser.add_argument("--students", type=int, default=16, help="12 to 99 (default 16)")
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args(argv)
    try:
        lab = generate_lab_day(args.out, day=args.day, account=args.account, region=args.region,
                               students=args.students, seed=args.seed)
    except ValueError as error:
        parser.error(str(error))
    left = sum(1 for r in lab.resources if r.state != "deleted")
    print(f"wrote {len(lab.paths)} files ({lab.records} records) under {args.out}: {len(lab.resources)} resources created, "
          f"{left} left running or stopped, {lab.failed_creates} failed creates")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
