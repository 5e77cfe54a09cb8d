/** Database and message-broker connection strings with an inline password. */
import type { RuleInput } from './define.js';
import { DEFAULT_PASSWORDS } from '../placeholder.js';
import { ci, family } from './define.js';

function url(
  id: string,
  title: string,
  schemes: readonly string[],
  severity: 'critical' | 'high' | 'medium',
  example: string,
): RuleInput {
  const alt = schemes.map((s) => ci(s).replace(/\+/g, '\\+')).join('|');
  return {
    id,
    title,
    severity,
    keywords: schemes.map((s) => `${s}://`),
    regex: new RegExp(
      String.raw`(?<![A-Za-z0-9+])(?:${alt}):\/\/(?<user>[^:@/\s'"\x60<>]{0,128}):(?<secret>[^@/\s'"\x60<>]{3,256})@(?<host>[^\s'"\x60/?#<>]{1,256})`,
    ),
    allowlist: [DEFAULT_PASSWORDS],
    examples: [example],
  };
}

export const DATABASE_RULES = family('database', [
  url(
    'postgres-url-password',
    'PostgreSQL connection URL with password',
    ['postgres', 'postgresql', 'postgis'],
    'critical',
    'DATABASE_URL=postgres://app:{A:20}@db.internal:5432/app',
  ),
  url(
    'mysql-url-password',
    'MySQL connection URL with password',
    ['mysql', 'mysql2', 'mysqlx'],
    'critical',
    'DATABASE_URL=mysql://app:{A:20}@db.internal:3306/app',
  ),
  url(
    'mariadb-url-password',
    'MariaDB connection URL with password',
    ['mariadb'],
    'critical',
    'DB=mariadb://app:{A:20}@db.internal/app',
  ),
  url(
    'mongodb-url-password',
    'MongoDB connection URL with password',
    ['mongodb', 'mongodb+srv'],
    'critical',
    'MONGO_URL=mongodb+srv://app:{A:20}@cluster0.abcde.mongodb.net/app',
  ),
  url(
    'redis-url-password',
    'Redis connection URL with password',
    ['redis', 'rediss', 'valkey'],
    'high',
    'REDIS_URL=redis://default:{A:24}@cache.internal:6379/0',
  ),
  url(
    'amqp-url-password',
    'AMQP (RabbitMQ) broker URL with password',
    ['amqp', 'amqps'],
    'high',
    'BROKER_URL=amqp://svc:{A:20}@mq.internal:5672/vhost',
  ),
  url(
    'mssql-url-password',
    'SQL Server connection URL with password',
    ['mssql', 'sqlserver'],
    'critical',
    'DB=mssql://sa:{A:20}@sql.internal:1433/app',
  ),
  url(
    'oracle-url-password',
    'Oracle connection URL with password',
    ['oracle'],
    'critical',
    'DB=oracle://app:{A:20}@ora.internal:1521/ORCL',
  ),
  url(
    'clickhouse-url-password',
    'ClickHouse connection URL with password',
    ['clickhouse'],
    'high',
    'CH=clickhouse://app:{A:20}@ch.internal:9000/default',
  ),
  url(
    'cockroachdb-url-password',
    'CockroachDB connection URL with password',
    ['cockroachdb', 'cockroach'],
    'critical',
    'DB=cockroachdb://app:{A:20}@crdb.internal:26257/app',
  ),
  url(
    'neo4j-url-password',
    'Neo4j / Bolt connection URL with password',
    ['neo4j', 'neo4j+s', 'bolt'],
    'high',
    'NEO4J=bolt://neo4j:{A:20}@graph.internal:7687',
  ),
  url(
    'cassandra-url-password',
    'Cassandra / ScyllaDB connection URL with password',
    ['cassandra', 'scylla'],
    'high',
    'CASS=cassandra://app:{A:20}@cass.internal:9042/ks',
  ),
  url(
    'couchdb-url-password',
    'CouchDB connection URL with password',
    ['couchdb'],
    'high',
    'COUCH=couchdb://admin1:{A:20}@couch.internal:5984',
  ),
  url(
    'nats-url-password',
    'NATS connection URL with password',
    ['nats', 'tls'],
    'high',
    'NATS_URL=nats://svc:{A:20}@nats.internal:4222',
  ),
  url(
    'mqtt-url-password',
    'MQTT broker URL with password',
    ['mqtt', 'mqtts'],
    'medium',
    'MQTT=mqtt://dev:{A:20}@broker.internal:1883',
  ),
  url(
    'ldap-url-password',
    'LDAP URL with bind password',
    ['ldap', 'ldaps'],
    'high',
    'LDAP=ldaps://cn=svc:{A:20}@ldap.internal:636',
  ),
  url(
    'smtp-url-password',
    'SMTP URL with password',
    ['smtp', 'smtps', 'submission'],
    'high',
    'MAIL_URL=smtps://mailer:{A:20}@smtp.internal:465',
  ),
  url(
    'ftp-url-password',
    'FTP / SFTP URL with password',
    ['ftp', 'ftps', 'sftp'],
    'high',
    'UPLOAD=ftp://upload:{A:20}@files.internal/in',
  ),
  url(
    'http-url-basic-auth',
    'HTTP URL with embedded credentials',
    ['http', 'https'],
    'high',
    'REGISTRY=https://deploy:{A:20}@registry.corp.internal/v2/',
  ),
  url(
    'influxdb-url-password',
    'InfluxDB URL with password',
    ['influxdb'],
    'high',
    'INFLUX=influxdb://admin1:{A:20}@influx.internal:8086',
  ),
  {
    id: 'jdbc-password',
    title: 'JDBC URL with password parameter',
    severity: 'critical',
    keywords: ['jdbc:'],
    regex: /jdbc:[a-z0-9]+:[^\s'"\x60]*?[;?&]password=(?<secret>[^;&\s'"\x60]{3,128})/i,
    allowlist: [DEFAULT_PASSWORDS],
    examples: ['url=jdbc:sqlserver://sql.internal:1433;databaseName=app;user=svc;password={A:20};'],
  },
  {
    id: 'ado-net-connection-string-password',
    title: 'ADO.NET / ODBC connection string with password',
    severity: 'high',
    keywords: ['password=', 'pwd='],
    regex:
      /(?:Server|Data Source|Host|Address)=[^;'"\r\n]+;[^'"\r\n]{0,200}?(?:Password|Pwd)=(?<secret>[^;'"\s]{3,128})/i,
    allowlist: [DEFAULT_PASSWORDS],
    examples: ['"Server=sql.internal;Database=app;User Id=svc;Password={A:20};"'],
  },
  {
    id: 'redis-requirepass',
    title: 'Redis requirepass / masterauth password',
    severity: 'high',
    keywords: ['requirepass', 'masterauth'],
    regex: /^\s*(?:requirepass|masterauth)\s+["']?(?<secret>[^\s'"]{6,128})/m,
    allowlist: [DEFAULT_PASSWORDS],
    minEntropy: 2.5,
    examples: ['requirepass {A:24}'],
  },
]);
