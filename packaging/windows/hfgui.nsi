; NSIS installer for hfgui on Windows (64-bit): installs the PyInstaller folder (dist\hfgui), adds a
; Start-menu shortcut, an optional desktop shortcut, optionally the install folder to PATH, and an
; uninstaller listed in "Installed apps".
;
; Build from the repository root, after PyInstaller has made dist\hfgui (see packaging/README.md):
;   makensis -DVERSION=0.1.0 -DDIST_DIR=dist\hfgui -DOUTFILE=dist\hfgui-0.1.0-setup.exe packaging\windows\hfgui.nsi
; Optional: -DICON=path\to.ico (the installer's icon). Relative paths are taken from the repository root.
; VERSION may be a pre-release (0.2.0rc1): the numeric file version is then 0.2.0.0.
;
; Signing runs only when configured, like packaging/macos/build-dmg.sh (signtool from the Windows SDK on PATH):
;   WINDOWS_SIGN_CERT            SHA-1 thumbprint of the code-signing certificate in the certificate store
;   WINDOWS_SIGN_TIMESTAMP_URL   RFC 3161 timestamp server (default http://timestamp.digicert.com)
; Then hfgui.exe and hfgui-gui.exe, the uninstaller and the installer are signed.
; The uninstaller leaves the user's models and settings (%LOCALAPPDATA%\hfgui) alone.

; makensis changes into this script's folder; go back to the repository root so that the relative paths
; of the documented command (dist\hfgui, dist\hfgui-...-setup.exe) mean what they say. With /NOCD the
; working folder is kept.
!if /FileExists "hfgui.nsi"
  !cd "../.."
!endif

Unicode true
SetCompressor /SOLID lzma

!ifndef VERSION
  !error "Pass the version: makensis -DVERSION=x.y.z ..."
!endif
!ifndef DIST_DIR
  !error "Pass the PyInstaller folder: makensis -DDIST_DIR=dist\hfgui ..."
!endif
!ifndef OUTFILE
  !define OUTFILE "dist\hfgui-${VERSION}-setup.exe"
!endif

!define APP_NAME "hfgui"
!define APP_ID "io.github.hfgui.HfGui"
!define PUBLISHER "hfgui developers"
!define UNINSTALL_KEY "Software\Microsoft\Windows\CurrentVersion\Uninstall\${APP_ID}"

; --- version: VIProductVersion takes four numbers only -------------------------------------------
; 0.2.0 -> 0.2.0.0; pre-, post- and dev-releases (0.2.0rc1, 0.2.0a1, 0.2.0.post1, 0.2.0.dev3, 0.2.0+local)
; keep their numeric part; the full VERSION stays in ProductVersion, DisplayVersion and the file name.
!searchparse /noerrors "${VERSION}" "" V_MAJOR "." V_MINOR "." V_PATCH
!ifndef V_PATCH
  !error "VERSION must look like 1.2.3 or 1.2.3rc1, not ${VERSION}"
!endif
!macro _CutVersionAt MARKER
  !searchparse /noerrors "${V_PATCH}" "" _V_NUMERIC "${MARKER}"
  !undef V_PATCH
  !define V_PATCH "${_V_NUMERIC}"
  !undef _V_NUMERIC
!macroend
!insertmacro _CutVersionAt "."
!insertmacro _CutVersionAt "+"
!insertmacro _CutVersionAt "a"
!insertmacro _CutVersionAt "b"
!insertmacro _CutVersionAt "rc"
!define NUMERIC_VERSION "${V_MAJOR}.${V_MINOR}.${V_PATCH}.0"

; --- signing (only with WINDOWS_SIGN_CERT set) ----------------------------------------------------
!define SIGN_CERT "$%WINDOWS_SIGN_CERT%"
!if "${SIGN_CERT}" != "${U+24}%WINDOWS_SIGN_CERT%"
  !define SIGN_TIMESTAMP "$%WINDOWS_SIGN_TIMESTAMP_URL%"
  !if "${SIGN_TIMESTAMP}" == "${U+24}%WINDOWS_SIGN_TIMESTAMP_URL%"
    !undef SIGN_TIMESTAMP
    !define SIGN_TIMESTAMP "http://timestamp.digicert.com"
  !endif
  !define SIGN_COMMAND 'signtool sign /sha1 ${SIGN_CERT} /fd sha256 /tr ${SIGN_TIMESTAMP} /td sha256'
  !system '${SIGN_COMMAND} "${DIST_DIR}\hfgui.exe" "${DIST_DIR}\hfgui-gui.exe"' = 0
  !uninstfinalize '${SIGN_COMMAND} "%1"' = 0
  !finalize '${SIGN_COMMAND} "%1"' = 0
!endif

Name "${APP_NAME} ${VERSION}"
OutFile "${OUTFILE}"
InstallDir "$PROGRAMFILES64\${APP_NAME}"
InstallDirRegKey HKLM "${UNINSTALL_KEY}" "InstallLocation"
RequestExecutionLevel admin
BrandingText "${APP_NAME} ${VERSION}"

!include "MUI2.nsh"
!include "FileFunc.nsh"
!include "WinMessages.nsh"
!include "x64.nsh"
!ifdef ICON
  !define MUI_ICON "${ICON}"
  !define MUI_UNICON "${ICON}"
!endif
!define MUI_ABORTWARNING
; The installer runs elevated; a program it starts would too. Explorer starts it as the signed-in user.
!define MUI_FINISHPAGE_RUN
!define MUI_FINISHPAGE_RUN_TEXT "Start ${APP_NAME}"
!define MUI_FINISHPAGE_RUN_FUNCTION StartUnelevated

!insertmacro MUI_PAGE_WELCOME
!insertmacro MUI_PAGE_DIRECTORY
!insertmacro MUI_PAGE_COMPONENTS
!insertmacro MUI_PAGE_INSTFILES
!insertmacro MUI_PAGE_FINISH
!insertmacro MUI_UNPAGE_CONFIRM
!insertmacro MUI_UNPAGE_INSTFILES
!insertmacro MUI_LANGUAGE "English"

VIProductVersion "${NUMERIC_VERSION}"
VIFileVersion "${NUMERIC_VERSION}"
VIAddVersionKey /LANG=${LANG_ENGLISH} "ProductName" "${APP_NAME}"
VIAddVersionKey /LANG=${LANG_ENGLISH} "ProductVersion" "${VERSION}"
VIAddVersionKey /LANG=${LANG_ENGLISH} "FileVersion" "${VERSION}"
VIAddVersionKey /LANG=${LANG_ENGLISH} "FileDescription" "${APP_NAME} installer"
VIAddVersionKey /LANG=${LANG_ENGLISH} "CompanyName" "${PUBLISHER}"
VIAddVersionKey /LANG=${LANG_ENGLISH} "LegalCopyright" "Apache-2.0"

; PATH is edited through PowerShell and the registry API: NSIS strings (1024 characters) would cut a long
; PATH. The folder comes in through HFGUI_DIR; REG_EXPAND_SZ and %SystemRoot%-style entries are kept.
!define ENVIRONMENT_KEY "SYSTEM\CurrentControlSet\Control\Session Manager\Environment"
!define PATH_EDIT `$$k = [Microsoft.Win32.Registry]::LocalMachine.OpenSubKey('${ENVIRONMENT_KEY}', $$true); \
$$parts = @($$k.GetValue('Path', '', 'DoNotExpandEnvironmentNames') -split ';' | \
Where-Object { $$_ -and $$_.TrimEnd('\') -ne $$env:HFGUI_DIR.TrimEnd('\') })`
!define PATH_ADD `${PATH_EDIT}; $$k.SetValue('Path', (($$parts + $$env:HFGUI_DIR) -join ';'), 'ExpandString')`
!define PATH_REMOVE `${PATH_EDIT}; $$k.SetValue('Path', ($$parts -join ';'), 'ExpandString')`
!define POWERSHELL `"$SYSDIR\WindowsPowerShell\v1.0\powershell.exe" -NoProfile -NonInteractive -ExecutionPolicy Bypass -Command`

!macro EditPath SCRIPT
  System::Call 'Kernel32::SetEnvironmentVariable(t "HFGUI_DIR", t "$INSTDIR")i'
  nsExec::ExecToLog `${POWERSHELL} "${SCRIPT}"`
  Pop $0
  ; Running programs (Explorer, new terminals) re-read the environment.
  SendMessage ${HWND_BROADCAST} ${WM_SETTINGCHANGE} 0 "STR:Environment" /TIMEOUT=5000
!macroend

Function .onInit
  ${IfNot} ${RunningX64}
    MessageBox MB_ICONSTOP "${APP_NAME} needs 64-bit Windows."
    Abort
  ${EndIf}
  SetRegView 64  ; the uninstall entry goes to the 64-bit registry, where 64-bit apps are listed
FunctionEnd

Function un.onInit
  SetRegView 64
FunctionEnd

Function StartUnelevated
  Exec '"$WINDIR\explorer.exe" "$INSTDIR\hfgui-gui.exe"'
FunctionEnd

Section "${APP_NAME} (required)" SecApp
  SectionIn RO
  ; An upgrade replaces the bundle so no file of an older version lingers. Only our own files are
  ; removed: the chosen folder may be shared (never RMDir /r "$INSTDIR").
  RMDir /r "$INSTDIR\_internal"
  SetOutPath "$INSTDIR"
  File /r "${DIST_DIR}\*.*"
  WriteUninstaller "$INSTDIR\uninstall.exe"

  SetShellVarContext all
  CreateShortCut "$SMPROGRAMS\${APP_NAME}.lnk" "$INSTDIR\hfgui-gui.exe" "" "$INSTDIR\hfgui-gui.exe" 0

  WriteRegStr HKLM "${UNINSTALL_KEY}" "DisplayName" "${APP_NAME}"
  WriteRegStr HKLM "${UNINSTALL_KEY}" "DisplayVersion" "${VERSION}"
  WriteRegStr HKLM "${UNINSTALL_KEY}" "Publisher" "${PUBLISHER}"
  WriteRegStr HKLM "${UNINSTALL_KEY}" "DisplayIcon" "$INSTDIR\hfgui-gui.exe"
  WriteRegStr HKLM "${UNINSTALL_KEY}" "InstallLocation" "$INSTDIR"
  WriteRegStr HKLM "${UNINSTALL_KEY}" "UninstallString" '"$INSTDIR\uninstall.exe"'
  WriteRegStr HKLM "${UNINSTALL_KEY}" "QuietUninstallString" '"$INSTDIR\uninstall.exe" /S'
  WriteRegDWORD HKLM "${UNINSTALL_KEY}" "NoModify" 1
  WriteRegDWORD HKLM "${UNINSTALL_KEY}" "NoRepair" 1
  ; "Installed apps" shows the size from EstimatedSize (KiB): the bundle plus the executables.
  ${GetSize} "$INSTDIR\_internal" "/S=0K" $0 $1 $2
  ${GetSize} "$INSTDIR" "/M=*.exe /S=0K /G=0" $1 $2 $3
  IntOp $0 $0 + $1
  IntFmt $0 "0x%08X" $0
  WriteRegDWORD HKLM "${UNINSTALL_KEY}" "EstimatedSize" "$0"
SectionEnd

Section /o "Desktop shortcut" SecDesktop
  SetShellVarContext all
  CreateShortCut "$DESKTOP\${APP_NAME}.lnk" "$INSTDIR\hfgui-gui.exe" "" "$INSTDIR\hfgui-gui.exe" 0
SectionEnd

Section /o "Add hfgui to PATH" SecPath
  !insertmacro EditPath "${PATH_ADD}"
  WriteRegDWORD HKLM "${UNINSTALL_KEY}" "AddedToPath" 1
SectionEnd

!insertmacro MUI_FUNCTION_DESCRIPTION_BEGIN
  !insertmacro MUI_DESCRIPTION_TEXT ${SecApp} "The hfgui window and the hfgui command."
  !insertmacro MUI_DESCRIPTION_TEXT ${SecDesktop} "Put an hfgui shortcut on the desktop."
  !insertmacro MUI_DESCRIPTION_TEXT ${SecPath} "Run hfgui.exe from any terminal (adds the install folder to the system PATH)."
!insertmacro MUI_FUNCTION_DESCRIPTION_END

Section "Uninstall"
  SetShellVarContext all
  ReadRegDWORD $0 HKLM "${UNINSTALL_KEY}" "AddedToPath"
  ${If} $0 = 1
    !insertmacro EditPath "${PATH_REMOVE}"
  ${EndIf}
  Delete "$SMPROGRAMS\${APP_NAME}.lnk"
  Delete "$DESKTOP\${APP_NAME}.lnk"
  RMDir /r "$INSTDIR\_internal"
  Delete "$INSTDIR\hfgui.exe"
  Delete "$INSTDIR\hfgui-gui.exe"
  Delete "$INSTDIR\uninstall.exe"
  RMDir "$INSTDIR"  ; only when empty
  DeleteRegKey HKLM "${UNINSTALL_KEY}"
SectionEnd
