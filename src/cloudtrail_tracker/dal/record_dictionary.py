"""Preset dictionaries for compressing stored records.

A CloudTrail record is 1-2 KB of JSON whose keys and many values every record repeats. Deflate
primed with that text finds them from the first byte: stored records shrink to about 0.37 of
their JSON instead of 0.51, which keeps a typical event item under DynamoDB's 1 KB write unit.

A stored blob starts with the number of the dictionary it was compressed with: never change a
dictionary in place; add a new number and make it ``CURRENT``.
"""

from __future__ import annotations

_V1 = b"".join([
    b'{"eventVersion":"1.08","userIdentity":{"type":"IAMUser","principalId":"AIDA","arn":"arn:aws:iam::',
    b':user/","accountId":"","accessKeyId":"AKIA","userName":""},',
    b'"userIdentity":{"type":"AWSService","invokedBy":".amazonaws.com"},',
    b'"userIdentity":{"type":"AssumedRole","principalId":"AROA","arn":"arn:aws:sts::',
    b':assumed-role/AWSReservedSSO_","accountId":"","accessKeyId":"ASIA","sessionContext":{"sessionIssuer":',
    b'{"type":"Role","principalId":"AROA","arn":"arn:aws:iam::',
    b':role/aws-reserved/sso.amazonaws.com/","accountId":"","userName":""},"webIdFederationData":{},',
    b'"attributes":{"creationDate":"20","mfaAuthenticated":"false"}}},',
    b'"eventTime":"20","eventSource":"ec2.amazonaws.com","eventName":"","awsRegion":"us-east-1",',
    b'"sourceIPAddress":"","userAgent":"aws-cli/2. Python/3. Linux/ exe/x86_64.amzn.2023 botocore/',
    b'"userAgent":"Boto3/1. md/Botocore# ua/2.0 os/linux# lang/python# cfg/retry-mode#standard',
    b'"userAgent":"Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/',
    b'"errorCode":"AccessDenied","errorMessage":"User: arn:aws:sts:: is not authorized to perform: ',
    b' on resource: arn:aws: because no identity-based policy allows the action",',
    b'"errorCode":"Client.UnauthorizedOperation","errorMessage":"You are not authorized to perform this operation.',
    b'"requestParameters":{"bucketName":"","Host":".s3.amazonaws.com","instancesSet":{"items":[{"instanceId":"i-',
    b'"}]},"filterSet":{},"roleArn":"arn:aws:iam::","roleSessionName":"","durationSeconds":3600},',
    b'"responseElements":{"credentials":{"accessKeyId":"ASIA","sessionToken":"<redacted>","expiration":"",',
    b'"assumedRoleUser":{"assumedRoleId":"AROA","arn":"arn:aws:sts::"}},',
    b'"responseElements":null,"additionalEventData":{"SignatureVersion":"SigV4","CipherSuite":"ECDHE-RSA-AES128-GCM-SHA256",',
    b'"bytesTransferredIn":0,"AuthenticationMethod":"AuthHeader","x-amz-id-2":"","bytesTransferredOut":0},',
    b'"requestID":"","eventID":"","readOnly":false,"resources":[{"accountId":"","type":"AWS::S3::Object","ARN":"arn:aws:s3:::"},',
    b'{"accountId":"","type":"AWS::IAM::Role","ARN":"arn:aws:iam::"},{"accountId":"","type":"AWS::KMS::Key","ARN":"arn:aws:kms:"}],',
    b'"eventType":"AwsApiCall","apiVersion":"","managementEvent":true,"recipientAccountId":"","sharedEventID":"",',
    b'"vpcEndpointId":"vpce-","eventCategory":"Management","tlsDetails":{"tlsVersion":"TLSv1.3",',
    b'"cipherSuite":"TLS_AES_128_GCM_SHA256","clientProvidedHostHeader":".amazonaws.com"},',
    b'"sessionCredentialFromConsole":"true"}',
])

DICTIONARIES: dict[int, bytes] = {1: _V1}
CURRENT = 1
