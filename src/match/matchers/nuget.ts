/** .NET packages: NuGet ids (compared case-insensitively by the database). */
import { languageMatcher } from './language.js';

export const nugetMatcher = languageMatcher('nuget', 'nuget', 'NuGet');
