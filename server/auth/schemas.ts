import { Type } from 'typebox';
import { COMMON_ERRORS, IdParams, StringEnum } from '../http.ts';
import { ROLES } from './roles.ts';

export const RoleSchema = StringEnum(ROLES);

export const UserSchema = Type.Object(
  { id: Type.Integer(), username: Type.String(), role: RoleSchema },
  { additionalProperties: false },
);

const UserAnswer = Type.Object({ user: UserSchema }, { additionalProperties: false });

export const loginSchema = {
  body: Type.Object(
    { username: Type.String({ minLength: 1, maxLength: 200 }), password: Type.String({ minLength: 1, maxLength: 1000 }) },
    { additionalProperties: false },
  ),
  response: { 200: UserAnswer, ...COMMON_ERRORS },
};

export const logoutSchema = {
  response: { 200: Type.Object({ ok: Type.Literal(true) }, { additionalProperties: false }), ...COMMON_ERRORS },
};

export const meSchema = { response: { 200: UserAnswer, ...COMMON_ERRORS } };

export const listUsersSchema = {
  response: {
    200: Type.Object(
      {
        users: Type.Array(
          Type.Object(
            { id: Type.Integer(), username: Type.String(), role: RoleSchema, disabled: Type.Boolean() },
            { additionalProperties: false },
          ),
        ),
      },
      { additionalProperties: false },
    ),
    ...COMMON_ERRORS,
  },
};

/** A password being set: the rule itself (length, common passwords…) is checked by the auth service, whose 400 says what is wrong. */
const NewPassword = Type.String({ minLength: 1, maxLength: 1000 });

export const addUserSchema = {
  body: Type.Object(
    { username: Type.String({ minLength: 1, maxLength: 64 }), password: NewPassword, role: RoleSchema },
    { additionalProperties: false },
  ),
  response: { 200: UserAnswer, ...COMMON_ERRORS },
};

export const updateUserSchema = {
  params: IdParams,
  body: Type.Object(
    {
      role: Type.Optional(RoleSchema),
      password: Type.Optional(NewPassword),
      disabled: Type.Optional(Type.Boolean()),
    },
    { additionalProperties: false },
  ),
  response: { 200: UserAnswer, ...COMMON_ERRORS },
};
