// Helpers for command handlers.
export { minargs } from "./commandline.js";
export { mentionPerson, isEmailAddress, getPersonByEmail, getPersonById } from "./people.js";
export { isGroup, checkIfInTeam, checkIfInOrg } from "./membership.js";
