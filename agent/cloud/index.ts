/** Cloud metadata: detection, the instance's identity, and spot / preemption notices. */
export * from './types.js';
export { Imds, AwsSpotWatcher, awsIdentity, AWS_METADATA } from './aws.js';
export { GcpMetadata, GcpPreemptionWatcher, gcpIdentity, GCP_METADATA } from './gcp.js';
export { detectCloud, type Cloud, type CloudOptions } from './detect.js';
