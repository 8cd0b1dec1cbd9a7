/**
 * The monitoring's variables (Prometheus, Alertmanager, the exporters and
 * the alert thresholds), part of the site's table (variables.ts).
 */
import { z } from 'zod';
import { port, secret, type VariableSpec } from '../inventory/variables';

/** A Prometheus duration: 15s, 1m, 2h, 15d. */
const duration = z
  .string()
  .regex(/^\d+(ms|s|m|h|d|w|y)$/, 'a Prometheus duration, like 15s, 1m or 15d');

const percent = z.number().min(1).max(100);

export const MONITORING_VARIABLES = {
  monitoring: {
    schema: z.boolean(),
    default: true,
    doc: 'Prometheus and Alertmanager on the hosts of the monitor group (else the first load balancer), an exporter on every host, alert rules.',
  },
  monitor_scrape_interval: {
    schema: duration,
    default: '10s',
    doc: 'How often Prometheus scrapes the exporters and evaluates the alert rules.',
  },
  monitor_retention: {
    schema: duration,
    default: '15d',
    doc: 'How long Prometheus keeps its samples.',
  },
  monitor_site_ca: {
    schema: secret,
    secret: true,
    doc: "The PEM CA bundle (e.g. a file reference) the site probe checks the site's certificate against; default: the monitor host's system CAs.",
  },
  prometheus_port: {
    schema: port,
    default: 9090,
    doc: 'Prometheus, on localhost of the monitor hosts.',
  },
  alertmanager_port: {
    schema: port,
    default: 9093,
    doc: 'Alertmanager, on localhost of the monitor hosts.',
  },
  blackbox_port: {
    schema: port,
    default: 9115,
    doc: 'The blackbox exporter (the site probe), on localhost of the monitor hosts.',
  },
  node_exporter_port: {
    schema: port,
    default: 9100,
    doc: "node_exporter, on every host's private address.",
  },
  haproxy_exporter_port: {
    schema: port,
    default: 8405,
    doc: "HAProxy's built-in Prometheus exporter, on each load balancer's private address.",
  },
  nginx_exporter_port: {
    schema: port,
    default: 9113,
    doc: "The Nginx exporter, on each web host's private address.",
  },
  mysqld_exporter_port: {
    schema: port,
    default: 9104,
    doc: "mysqld_exporter, on each database host's private address; its account logs in over the socket (no password).",
  },
  alert_for: {
    schema: duration,
    default: '15s',
    doc: 'How long a failure (host, backend, site, replication, certificate) lasts before its alert fires.',
  },
  alert_replication_lag: {
    schema: z.number().int().min(1),
    default: 30,
    doc: 'Alert when a replica is this many seconds behind its source.',
  },
  alert_disk_percent: {
    schema: percent,
    default: 90,
    doc: 'Alert when a file system is fuller than this.',
  },
  alert_certificate_days: {
    schema: z.number().int().min(1),
    default: 14,
    doc: "Alert when the site's certificate, seen through a load balancer, expires within this many days.",
  },
  alert_connections_percent: {
    schema: percent,
    default: 80,
    doc: "Alert when a database server's connections pass this share of max_connections.",
  },
  alert_webhook_url: {
    schema: secret,
    secret: true,
    doc: 'Alertmanager sends the alerts to this webhook URL (e.g. a chat or paging service); without it they are only shown by status.',
  },
} satisfies Record<string, VariableSpec>;
