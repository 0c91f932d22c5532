/** Health: the XID catalog and, on the server side, classification and the health policy. */
export { xidCatalog, xidInfo, type XidBucket, type XidInfo } from './xid.js';
