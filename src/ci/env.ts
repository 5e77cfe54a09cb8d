/**
 * Which CI runs `bulwark ci`, read from the environment variables each CI sets: repository, branch,
 * commit, pull/merge request number and the base of the change. `BULWARK_CI_BASE_REF` overrides the
 * base anywhere (and is the only source in CIs that do not publish one, such as CircleCI).
 */
import { readFileSync } from 'node:fs';
import type { CiContext } from './types.js';

const ZERO_SHA = /^0+$/;

/** `refs/heads/main` → `main`; `refs/pull/12/merge` stays as is. */
function shortRef(ref: string | undefined): string | undefined {
  if (!ref) return undefined;
  return ref.replace(/^refs\/heads\//, '');
}

/** A value, or undefined when empty, unset or git's all-zero "no commit" id. */
function val(v: string | undefined): string | undefined {
  const t = v?.trim();
  return t && !ZERO_SHA.test(t) ? t : undefined;
}

/** Drop undefined fields: the report's JSON and its tests stay exact. */
function compact(ctx: Record<string, string | undefined> & Pick<CiContext, 'provider'>): CiContext {
  return Object.fromEntries(Object.entries(ctx).filter(([, v]) => v !== undefined)) as unknown as CiContext;
}

/** The `before` commit of a GitHub push event (the event payload is a JSON file). */
function githubPushBefore(env: NodeJS.ProcessEnv): string | undefined {
  const path = env.GITHUB_EVENT_PATH;
  if (!path || env.GITHUB_EVENT_NAME !== 'push') return undefined;
  try {
    const event = JSON.parse(readFileSync(path, 'utf8')) as { before?: unknown };
    return typeof event.before === 'string' ? val(event.before) : undefined;
  } catch {
    return undefined;
  }
}

/** Detect the CI from `env` (GitHub Actions, GitLab CI, Jenkins, Azure Pipelines, Bitbucket, CircleCI, generic `CI=true`). */
export function detectCi(env: NodeJS.ProcessEnv): CiContext {
  const override = val(env.BULWARK_CI_BASE_REF);
  if (env.GITHUB_ACTIONS === 'true') {
    const pr = /^refs\/pull\/(\d+)\//.exec(env.GITHUB_REF ?? '')?.[1];
    const server = env.GITHUB_SERVER_URL ?? 'https://github.com';
    return compact({
      provider: 'github',
      repository: val(env.GITHUB_REPOSITORY),
      branch: val(env.GITHUB_HEAD_REF) ?? val(env.GITHUB_REF_NAME),
      commit: val(env.GITHUB_SHA),
      pullRequest: pr,
      baseRef: override ?? val(env.GITHUB_BASE_REF) ?? githubPushBefore(env),
      buildUrl:
        env.GITHUB_REPOSITORY && env.GITHUB_RUN_ID
          ? `${server}/${env.GITHUB_REPOSITORY}/actions/runs/${env.GITHUB_RUN_ID}`
          : undefined,
    });
  }
  if (env.GITLAB_CI === 'true') {
    return compact({
      provider: 'gitlab',
      repository: val(env.CI_PROJECT_PATH),
      branch: val(env.CI_MERGE_REQUEST_SOURCE_BRANCH_NAME) ?? val(env.CI_COMMIT_REF_NAME),
      commit: val(env.CI_COMMIT_SHA),
      pullRequest: val(env.CI_MERGE_REQUEST_IID),
      baseRef:
        override ??
        val(env.CI_MERGE_REQUEST_DIFF_BASE_SHA) ??
        val(env.CI_MERGE_REQUEST_TARGET_BRANCH_NAME) ??
        val(env.CI_COMMIT_BEFORE_SHA),
      buildUrl: val(env.CI_JOB_URL),
    });
  }
  if (env.TF_BUILD === 'True' || env.TF_BUILD === 'true') {
    return compact({
      provider: 'azure',
      repository: val(env.BUILD_REPOSITORY_NAME),
      branch: shortRef(val(env.SYSTEM_PULLREQUEST_SOURCEBRANCH) ?? val(env.BUILD_SOURCEBRANCH)),
      commit: val(env.BUILD_SOURCEVERSION),
      pullRequest: val(env.SYSTEM_PULLREQUEST_PULLREQUESTNUMBER) ?? val(env.SYSTEM_PULLREQUEST_PULLREQUESTID),
      baseRef: override ?? shortRef(val(env.SYSTEM_PULLREQUEST_TARGETBRANCH)),
      buildUrl:
        env.SYSTEM_COLLECTIONURI && env.SYSTEM_TEAMPROJECT && env.BUILD_BUILDID
          ? `${env.SYSTEM_COLLECTIONURI}${env.SYSTEM_TEAMPROJECT}/_build/results?buildId=${env.BUILD_BUILDID}`
          : undefined,
    });
  }
  if (val(env.BITBUCKET_BUILD_NUMBER) && val(env.BITBUCKET_COMMIT)) {
    return compact({
      provider: 'bitbucket',
      repository: val(env.BITBUCKET_REPO_FULL_NAME),
      branch: val(env.BITBUCKET_BRANCH),
      commit: val(env.BITBUCKET_COMMIT),
      pullRequest: val(env.BITBUCKET_PR_ID),
      baseRef: override ?? val(env.BITBUCKET_PR_DESTINATION_BRANCH),
      buildUrl:
        env.BITBUCKET_GIT_HTTP_ORIGIN && env.BITBUCKET_BUILD_NUMBER
          ? `${env.BITBUCKET_GIT_HTTP_ORIGIN}/pipelines/results/${env.BITBUCKET_BUILD_NUMBER}`
          : undefined,
    });
  }
  if (env.CIRCLECI === 'true') {
    const owner = val(env.CIRCLE_PROJECT_USERNAME);
    const name = val(env.CIRCLE_PROJECT_REPONAME);
    return compact({
      provider: 'circleci',
      repository: owner && name ? `${owner}/${name}` : undefined,
      branch: val(env.CIRCLE_BRANCH),
      commit: val(env.CIRCLE_SHA1),
      pullRequest: val(env.CIRCLE_PR_NUMBER) ?? /\/pull\/(\d+)$/.exec(env.CIRCLE_PULL_REQUEST ?? '')?.[1],
      baseRef: override,
      buildUrl: val(env.CIRCLE_BUILD_URL),
    });
  }
  // Jenkins last among the named ones: its variables are plain names other tools may also set.
  if (val(env.JENKINS_URL) && (val(env.BUILD_ID) || val(env.BUILD_NUMBER))) {
    return compact({
      provider: 'jenkins',
      repository: val(env.GIT_URL) ?? val(env.JOB_NAME),
      branch:
        val(env.CHANGE_BRANCH) ??
        val(env.BRANCH_NAME) ??
        shortRef(val(env.GIT_BRANCH)?.replace(/^origin\//, '')),
      commit: val(env.GIT_COMMIT),
      pullRequest: val(env.CHANGE_ID),
      baseRef: override ?? val(env.CHANGE_TARGET) ?? val(env.GIT_PREVIOUS_SUCCESSFUL_COMMIT),
      buildUrl: val(env.BUILD_URL),
    });
  }
  const generic = env.CI !== undefined && env.CI !== '' && env.CI !== 'false' && env.CI !== '0';
  return compact({ provider: generic ? 'generic' : 'local', baseRef: override });
}
