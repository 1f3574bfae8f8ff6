import { Body, Controller, Get, HttpCode, Inject, Post, Put, Req, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { FastifyRequest } from 'fastify';
import '@fastify/cookie';
import type { FastifyReply } from 'fastify';
import { gatewayConfigToken, type GatewayConfig } from '../gateway.config';
import { sessionCookie, tokenOf } from './auth.guard';
import { AuthService } from './auth.service';
import { Public, RequireSignIn } from './permissions';
import { CurrentPrincipal, type AuthenticatedRequest, type Principal } from './principal';
import { ChangePasswordDto, parsePreferences, SignInDto } from './auth.schemas';

@ApiTags('auth')
@Controller('api/auth')
export class AuthController {
  constructor(
    private readonly auth: AuthService,
    @Inject(gatewayConfigToken) private readonly config: GatewayConfig,
  ) {}

  @Post('sign-in')
  @Public()
  @HttpCode(200)
  @ApiOperation({ summary: 'Staff sign-in: returns a session token and sets an HttpOnly session cookie' })
  async signIn(@Body() body: SignInDto, @Req() request: FastifyRequest, @Res({ passthrough: true }) reply: FastifyReply) {
    const { token, expiresAt, staff } = await this.auth.signIn(body.email, body.password, { business: body.business, address: request.ip });
    void reply.setCookie(sessionCookie, token, {
      httpOnly: true,
      sameSite: 'strict',
      secure: this.config.secureCookies,
      path: '/',
      expires: expiresAt,
    });
    return {
      token,
      expiresAt: expiresAt.toISOString(),
      staff: {
        id: staff.id,
        name: staff.name,
        email: staff.email,
        role: staff.role,
        businessId: staff.business_id,
        permissions: staff.permissions,
        preferences: { language: staff.language, digits: staff.digits },
      },
    };
  }

  @Post('sign-out')
  @RequireSignIn()
  @HttpCode(204)
  @ApiBearerAuth()
  @ApiOperation({ summary: 'Ends this session on the server and clears its cookie' })
  async signOut(@Req() request: AuthenticatedRequest, @Res({ passthrough: true }) reply: FastifyReply): Promise<void> {
    const token = tokenOf(request);
    if (token !== null) await this.auth.signOut(token);
    void reply.clearCookie(sessionCookie, { path: '/' });
  }

  @Post('sign-out-everywhere')
  @RequireSignIn()
  @HttpCode(204)
  @ApiBearerAuth()
  @ApiOperation({ summary: 'Ends every session of the signed-in staff member, this one included' })
  async signOutEverywhere(@CurrentPrincipal() principal: Principal, @Req() request: FastifyRequest, @Res({ passthrough: true }) reply: FastifyReply): Promise<void> {
    await this.auth.signOutEverywhere(principal, request.ip);
    void reply.clearCookie(sessionCookie, { path: '/' });
  }

  @Post('password')
  @RequireSignIn()
  @HttpCode(204)
  @ApiBearerAuth()
  @ApiOperation({ summary: 'Changes one’s own password (needs the current one); ends one’s other sessions' })
  async changePassword(@CurrentPrincipal() principal: Principal, @Req() request: AuthenticatedRequest, @Body() body: ChangePasswordDto): Promise<void> {
    await this.auth.changeOwnPassword(principal, tokenOf(request) ?? '', body, request.ip);
  }

  @Get('me')
  @RequireSignIn()
  @ApiBearerAuth()
  @ApiOperation({ summary: 'Who is signed in, of which business, with which permissions' })
  me(@CurrentPrincipal() principal: Principal) {
    return principal;
  }

  @Put('me/preferences')
  @RequireSignIn()
  @ApiBearerAuth()
  @ApiOperation({ summary: 'Sets one’s own language (en, ar) and digits (latn, arab) for the web app; returns them' })
  async setPreferences(@CurrentPrincipal() principal: Principal, @Body() body: unknown) {
    return this.auth.setOwnPreferences(principal, parsePreferences(body));
  }
}
