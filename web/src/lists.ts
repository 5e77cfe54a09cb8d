/**
 * Organisation-wide lists the pages show: images across projects, and the overview's figures. They are
 * read from the register's API in as few requests as it allows.
 */
import { get, OPEN_STATES, type Finding, type Image, type Page, type Project, type ProjectDetail, type Scan, type Severity } from './api';
import { href } from './router';

export interface ImageRow extends Image {
  project: string;
  counts: Partial<Record<Severity, number>>;
}

export interface ImageListQuery {
  q: string;
  project: string;
  environment: string;
  severity: string;
  grade: string;
  sort: string;
  limit: number;
  offset: number;
}

const RISK_WEIGHT: Record<string, number> = { critical: 1000, high: 100, medium: 10, low: 1 };
const risk = (c: Partial<Record<Severity, number>>): number =>
  Object.entries(c).reduce((n, [s, v]) => n + (RISK_WEIGHT[s] ?? 0) * (v ?? 0), 0);

async function imagesOf(project: Project): Promise<ImageRow[]> {
  const base = href('projects', project.name);
  const [images, scans] = await Promise.all([
    get<Page<Image>>(`${base}/images`),
    get<Page<Scan>>(`${base}/scans`, { limit: 1000 }),
  ]);
  const byScan = new Map(scans.items.map((s) => [s.id, s.bySeverity]));
  return images.items.map((i) => ({ ...i, project: project.name, counts: byScan.get(i.lastScanId ?? '') ?? {} }));
}

/** Images matching `q`, one page of them, and how many match in all. */
export async function loadImageList(q: ImageListQuery): Promise<{ total: number; items: ImageRow[] }> {
  const projects = (await get<Page<Project>>('/projects')).items.filter((p) => !q.project || p.name === q.project);
  let rows = (await Promise.all(projects.map(imagesOf))).flat();
  const needle = q.q.toLowerCase();
  if (needle) rows = rows.filter((r) => r.repository.toLowerCase().includes(needle) || r.tag.toLowerCase().includes(needle));
  if (q.environment) rows = rows.filter((r) => r.environment === q.environment);
  if (q.severity) rows = rows.filter((r) => (r.counts[q.severity as Severity] ?? 0) > 0);
  const desc = q.sort.startsWith('-');
  const col = q.sort.replace(/^-/, '');
  const key = (r: ImageRow): string | number =>
    col === 'risk' ? risk(r.counts) : col === 'scanned' ? (r.lastScanAt ?? '') : `${r.repository}:${r.tag}`;
  rows.sort((a, b) => {
    const x = key(a);
    const y = key(b);
    const c = typeof x === 'number' && typeof y === 'number' ? x - y : String(x).localeCompare(String(y));
    return (desc ? -c : c) || a.id.localeCompare(b.id);
  });
  return { total: rows.length, items: rows.slice(q.offset, q.offset + q.limit) };
}

export interface Overview {
  projects: ProjectDetail[];
  open: Partial<Record<Severity, number>>;
  overdue: { total: number; items: Finding[] };
  kevOpen: number;
  fixableShare: number | undefined;
  riskiest: ImageRow[];
  pendingAcceptances: number;
  /** Per day (newest scan of each image as of that day): open findings by severity. */
  trend: { day: string; counts: Partial<Record<Severity, number>> }[];
  recent: Finding[];
}

export async function loadOverview(): Promise<Overview> {
  const projects = (await get<Page<Project>>('/projects')).items;
  const [details, overdue, acceptances, images, scans] = await Promise.all([
    Promise.all(projects.map((p) => get<ProjectDetail>(href('projects', p.name)))),
    get<Page<Finding>>('/findings/overdue', { limit: 5 }),
    get<Page<unknown>>('/acceptances', { status: 'requested', limit: 1000 }),
    Promise.all(projects.map(imagesOf)),
    Promise.all(projects.map((p) => get<Page<Scan>>(`${href('projects', p.name)}/scans`, { limit: 1000 }))),
  ]);
  const open: Partial<Record<Severity, number>> = {};
  for (const d of details) for (const [s, n] of Object.entries(d.openFindings)) open[s as Severity] = (open[s as Severity] ?? 0) + (n ?? 0);
  const state = OPEN_STATES.join(',');
  const perProject = await Promise.all(
    projects.map(async (p) => {
      const base = `${href('projects', p.name)}/findings`;
      const [kev, all, recent] = await Promise.all([
        get<Page<Finding>>(base, { state, kev: 'true', limit: 1 }),
        get<Page<Finding>>(base, { state, limit: 1000 }),
        get<Page<Finding>>(base, { sort: 'first-seen', severity: 'critical,high', limit: 5 }),
      ]);
      return { kev: kev.total ?? 0, all: all.items, total: all.total ?? 0, recent: recent.items.map((f) => ({ ...f, project: p.name })) };
    }),
  );
  const kevOpen = perProject.reduce((n, p) => n + p.kev, 0);
  const sample = perProject.flatMap((p) => p.all);
  const fixableShare = sample.length ? sample.filter((f) => f.fixedVersion).length / sample.length : undefined;
  const recent = perProject
    .flatMap((p) => p.recent)
    .sort((a, b) => b.firstSeenAt.localeCompare(a.firstSeenAt))
    .slice(0, 8);

  // Trend: for each day with a scan, the newest scan of every image up to that day, summed.
  const all = scans.flatMap((s) => s.items).sort((a, b) => a.createdAt.localeCompare(b.createdAt));
  const latest = new Map<string, Partial<Record<Severity, number>>>();
  const trend: Overview['trend'] = [];
  for (const s of all) {
    latest.set(s.imageId, s.bySeverity);
    const day = s.createdAt.slice(0, 10);
    const counts: Partial<Record<Severity, number>> = {};
    for (const c of latest.values()) for (const [k, v] of Object.entries(c)) counts[k as Severity] = (counts[k as Severity] ?? 0) + (v ?? 0);
    if (trend.length && trend[trend.length - 1]!.day === day) trend[trend.length - 1]!.counts = counts;
    else trend.push({ day, counts });
  }
  const riskiest = images
    .flat()
    .sort((a, b) => risk(b.counts) - risk(a.counts))
    .slice(0, 5);
  return {
    projects: details,
    open,
    overdue: { total: overdue.total ?? overdue.items.length, items: overdue.items },
    kevOpen,
    fixableShare,
    riskiest,
    pendingAcceptances: acceptances.items.length,
    trend,
    recent,
  };
}
