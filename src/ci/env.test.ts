/** CI detection from the variables each CI sets (values as their documentation describes them). */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { detectCi } from './env.js';

const SHA = '3f786850e387550fdab836ed7e6dc881de23001b';
const BEFORE = '89e6c98d92887913cadf06b2adb97f26cde4849b';

describe('detectCi', () => {
  it('GitHub Actions: pull request (number from GITHUB_REF, base from GITHUB_BASE_REF)', () => {
    expect(
      detectCi({
        CI: 'true',
        GITHUB_ACTIONS: 'true',
        GITHUB_EVENT_NAME: 'pull_request',
        GITHUB_REPOSITORY: 'acme/app',
        GITHUB_SHA: SHA,
        GITHUB_REF: 'refs/pull/17/merge',
        GITHUB_REF_NAME: '17/merge',
        GITHUB_HEAD_REF: 'feature/login',
        GITHUB_BASE_REF: 'main',
        GITHUB_SERVER_URL: 'https://github.com',
        GITHUB_RUN_ID: '9001',
      }),
    ).toEqual({
      provider: 'github',
      repository: 'acme/app',
      branch: 'feature/login',
      commit: SHA,
      pullRequest: '17',
      baseRef: 'main',
      buildUrl: 'https://github.com/acme/app/actions/runs/9001',
    });
  });

  it("GitHub Actions: push (base = the event's `before`; a new branch's all-zero before is no base)", () => {
    const dir = mkdtempSync(join(tmpdir(), 'bulwark-gh-event-'));
    const event = join(dir, 'event.json');
    writeFileSync(event, JSON.stringify({ before: BEFORE, after: SHA }));
    const env = {
      GITHUB_ACTIONS: 'true',
      GITHUB_EVENT_NAME: 'push',
      GITHUB_EVENT_PATH: event,
      GITHUB_REPOSITORY: 'acme/app',
      GITHUB_SHA: SHA,
      GITHUB_REF: 'refs/heads/main',
      GITHUB_REF_NAME: 'main',
      GITHUB_HEAD_REF: '',
      GITHUB_BASE_REF: '',
    };
    expect(detectCi(env)).toMatchObject({ provider: 'github', branch: 'main', baseRef: BEFORE });
    expect(detectCi(env).pullRequest).toBeUndefined();
    writeFileSync(event, JSON.stringify({ before: '0'.repeat(40), after: SHA }));
    expect(detectCi(env).baseRef).toBeUndefined();
  });

  it('GitLab CI: merge request pipeline (diff base SHA first) and branch pipeline (before SHA)', () => {
    const common = { CI: 'true', GITLAB_CI: 'true', CI_PROJECT_PATH: 'acme/app', CI_COMMIT_SHA: SHA };
    expect(
      detectCi({
        ...common,
        CI_COMMIT_REF_NAME: 'feature/login',
        CI_MERGE_REQUEST_IID: '8',
        CI_MERGE_REQUEST_SOURCE_BRANCH_NAME: 'feature/login',
        CI_MERGE_REQUEST_TARGET_BRANCH_NAME: 'main',
        CI_MERGE_REQUEST_DIFF_BASE_SHA: BEFORE,
        CI_JOB_URL: 'https://gitlab.example/acme/app/-/jobs/5',
      }),
    ).toEqual({
      provider: 'gitlab',
      repository: 'acme/app',
      branch: 'feature/login',
      commit: SHA,
      pullRequest: '8',
      baseRef: BEFORE,
      buildUrl: 'https://gitlab.example/acme/app/-/jobs/5',
    });
    expect(detectCi({ ...common, CI_COMMIT_REF_NAME: 'main', CI_COMMIT_BEFORE_SHA: BEFORE })).toMatchObject({
      branch: 'main',
      baseRef: BEFORE,
    });
    expect(
      detectCi({
        ...common,
        CI_COMMIT_REF_NAME: 'new',
        CI_COMMIT_BEFORE_SHA: '0000000000000000000000000000000000000000',
      }).baseRef,
    ).toBeUndefined();
  });

  it('Azure Pipelines: pull request (refs/heads/ stripped)', () => {
    expect(
      detectCi({
        TF_BUILD: 'True',
        BUILD_REPOSITORY_NAME: 'acme/app',
        BUILD_SOURCEVERSION: SHA,
        BUILD_SOURCEBRANCH: 'refs/pull/3/merge',
        SYSTEM_PULLREQUEST_SOURCEBRANCH: 'refs/heads/feature/login',
        SYSTEM_PULLREQUEST_TARGETBRANCH: 'refs/heads/main',
        SYSTEM_PULLREQUEST_PULLREQUESTID: '3',
        SYSTEM_COLLECTIONURI: 'https://dev.azure.com/acme/',
        SYSTEM_TEAMPROJECT: 'app',
        BUILD_BUILDID: '77',
      }),
    ).toEqual({
      provider: 'azure',
      repository: 'acme/app',
      branch: 'feature/login',
      commit: SHA,
      pullRequest: '3',
      baseRef: 'main',
      buildUrl: 'https://dev.azure.com/acme/app/_build/results?buildId=77',
    });
  });

  it('Bitbucket Pipelines: pull request', () => {
    expect(
      detectCi({
        CI: 'true',
        BITBUCKET_BUILD_NUMBER: '12',
        BITBUCKET_COMMIT: SHA,
        BITBUCKET_REPO_FULL_NAME: 'acme/app',
        BITBUCKET_BRANCH: 'feature/login',
        BITBUCKET_PR_ID: '4',
        BITBUCKET_PR_DESTINATION_BRANCH: 'main',
        BITBUCKET_GIT_HTTP_ORIGIN: 'http://bitbucket.org/acme/app',
      }),
    ).toEqual({
      provider: 'bitbucket',
      repository: 'acme/app',
      branch: 'feature/login',
      commit: SHA,
      pullRequest: '4',
      baseRef: 'main',
      buildUrl: 'http://bitbucket.org/acme/app/pipelines/results/12',
    });
  });

  it('CircleCI: pull request number from the URL; the base only from BULWARK_CI_BASE_REF', () => {
    const env = {
      CI: 'true',
      CIRCLECI: 'true',
      CIRCLE_PROJECT_USERNAME: 'acme',
      CIRCLE_PROJECT_REPONAME: 'app',
      CIRCLE_SHA1: SHA,
      CIRCLE_BRANCH: 'feature/login',
      CIRCLE_PULL_REQUEST: 'https://github.com/acme/app/pull/21',
      CIRCLE_BUILD_URL: 'https://circleci.com/gh/acme/app/99',
    };
    expect(detectCi(env)).toEqual({
      provider: 'circleci',
      repository: 'acme/app',
      branch: 'feature/login',
      commit: SHA,
      pullRequest: '21',
      buildUrl: 'https://circleci.com/gh/acme/app/99',
    });
    expect(detectCi({ ...env, BULWARK_CI_BASE_REF: 'main' }).baseRef).toBe('main');
  });

  it('Jenkins: multibranch pull request (CHANGE_*) and branch build (previous successful commit)', () => {
    const common = {
      JENKINS_URL: 'https://jenkins.example/',
      BUILD_ID: '31',
      BUILD_URL: 'https://jenkins.example/job/app/31/',
      GIT_URL: 'https://github.com/acme/app.git',
      GIT_COMMIT: SHA,
    };
    expect(
      detectCi({
        ...common,
        BRANCH_NAME: 'PR-6',
        CHANGE_ID: '6',
        CHANGE_BRANCH: 'feature/login',
        CHANGE_TARGET: 'main',
      }),
    ).toEqual({
      provider: 'jenkins',
      repository: 'https://github.com/acme/app.git',
      branch: 'feature/login',
      commit: SHA,
      pullRequest: '6',
      baseRef: 'main',
      buildUrl: 'https://jenkins.example/job/app/31/',
    });
    expect(
      detectCi({ ...common, GIT_BRANCH: 'origin/main', GIT_PREVIOUS_SUCCESSFUL_COMMIT: BEFORE }),
    ).toMatchObject({
      branch: 'main',
      baseRef: BEFORE,
    });
  });

  it('generic CI=true, and a developer machine', () => {
    expect(detectCi({ CI: 'true' })).toEqual({ provider: 'generic' });
    expect(detectCi({ CI: 'false' })).toEqual({ provider: 'local' });
    expect(detectCi({})).toEqual({ provider: 'local' });
    expect(detectCi({ BULWARK_CI_BASE_REF: 'origin/main' })).toEqual({
      provider: 'local',
      baseRef: 'origin/main',
    });
  });
});
